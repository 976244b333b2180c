--[[
  Undo a claim whose PostgreSQL record was refused: the task goes back to the
  ready set it left, with its score, and the counters drop. Does nothing unless
  the task is still held by exactly this claim.

  KEYS[1] epoch  KEYS[2] claim  KEYS[3] perUser  KEYS[4] perType
  KEYS[5] deadlines  KEYS[6] warnings  KEYS[7] ready (the set it left)
  KEYS[8] excl  KEYS[9] excluded (the node's)  KEYS[10] available  KEYS[11] busy

  ARGV[1] taskId  ARGV[2] claimId  ARGV[3] score
  ARGV[4] "1" when it left the open set of a review node

  Returns 1 undone, 0 not held by this claim, -1 not loaded (nothing to undo).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local task, claimId = ARGV[1], ARGV[2]
local v = redis.call('HGET', KEYS[2], task)
if not v or string.sub(v, 1, #claimId + 1) ~= claimId .. '|' then return 0 end
local _, user, typ, node = string.match(v, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
redis.call('HDEL', KEYS[2], task)
redis.call('HINCRBY', KEYS[3], user, -1)
redis.call('HINCRBY', KEYS[4], typ, -1)
redis.call('ZREM', KEYS[5], task)
redis.call('ZREM', KEYS[6], task)
redis.call('ZADD', KEYS[7], ARGV[3], task)
if ARGV[4] == '1' then
  local author = redis.call('HGET', KEYS[8], task)
  if author then redis.call('HINCRBY', KEYS[9], author, 1) end
end
redis.call('HINCRBY', KEYS[10], node, 1)
redis.call('HINCRBY', KEYS[11], node, -1)
return 1
