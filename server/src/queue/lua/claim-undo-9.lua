--[[
  Undo a claim whose PostgreSQL record was refused: the task goes back to the
  ready set it left, with its score, and the counters drop. Does nothing unless
  the task is still held by exactly this claim.

  KEYS[1] epoch  KEYS[2] claim  KEYS[3] held  KEYS[4] deadlines (and warnings)
  KEYS[5] ready (the set it left)  KEYS[6] at  KEYS[7] excluded (the node's)
  KEYS[8] reservedReady  KEYS[9] busy

  ARGV[1] taskId  ARGV[2] claimId  ARGV[3] score
  ARGV[4] "1" when it left the open set of a review node
  ARGV[5] "1" when it left a reserved set (counted in reservedReady)

  Returns 1 undone, 0 not held by this claim, -1 not loaded (nothing to undo).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local task, claimId = ARGV[1], ARGV[2]
local v = redis.call('HGET', KEYS[2], task)
if not v or string.sub(v, 1, #claimId + 1) ~= claimId .. '|' then return 0 end
local _, user, typ, node = string.match(v, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
redis.call('HDEL', KEYS[2], task)
redis.call('HINCRBY', KEYS[3], 'u:' .. user, -1)
redis.call('HINCRBY', KEYS[3], 't:' .. typ, -1)
redis.call('ZREM', KEYS[4], task, 'w:' .. task)
redis.call('ZADD', KEYS[5], ARGV[3], task)
if ARGV[4] == '1' then
  local author = string.match(redis.call('HGET', KEYS[6], task) or '', '|(.*)$')
  if author then redis.call('HINCRBY', KEYS[7], author, 1) end
end
if ARGV[5] == '1' then redis.call('HINCRBY', KEYS[8], node, 1) end
redis.call('HINCRBY', KEYS[9], node, -1)
return 1
