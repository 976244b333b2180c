--[[
  Follow an edit PostgreSQL already committed to a task that is not held: move
  it from the ready set it waited in to the one it waits in now (a new priority
  or assignment), take it out of Redis (cancelled), or put it in (reopened).
  Only while the task is not held: a claim in flight (decided here, not yet
  recorded) is refused by PostgreSQL or revoked by the edit, and the caller
  rebuilds instead. Idempotent: an edit already reflected (a rebuild read it)
  answers 1 and changes nothing.

  KEYS[1] epoch  KEYS[2] claim  KEYS[3] at  KEYS[4] reservedReady  KEYS[5] registry
  KEYS[6] ready set it left (unused when it was not in Redis)
  KEYS[7] ready set it goes to (unused when it leaves)
  KEYS[8] the node's excluded counts (used with an author)

  ARGV[1] taskId  ARGV[2] nodeId
  ARGV[3] "1" when it was waiting (KEYS[6] holds it)  ARGV[4] "1" when KEYS[6] is reserved
  ARGV[5] "1" when it waits now (goes to KEYS[7])  ARGV[6] its score there  ARGV[7] "1" when KEYS[7] is reserved
  ARGV[8] the author who may not take it at this (review) node ("" = none)

  Returns 1 applied (or already so), 0 Redis disagrees (held, or not where it
  was): rebuild, -1 not loaded.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local task, node, author = ARGV[1], ARGV[2], ARGV[8]
local was, now = ARGV[3] == '1', ARGV[5] == '1'
if redis.call('HEXISTS', KEYS[2], task) == 1 then return 0 end
if was then
  if not redis.call('ZSCORE', KEYS[6], task) then
    if now then
      local s = redis.call('ZSCORE', KEYS[7], task)
      if s and tonumber(s) == tonumber(ARGV[6]) then return 1 end
    elseif redis.call('HEXISTS', KEYS[3], task) == 0 then
      return 1
    end
    return 0
  end
  redis.call('ZREM', KEYS[6], task)
  if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[4], node, -1) end
  if not now then
    redis.call('HDEL', KEYS[3], task)
    if author ~= '' then redis.call('HINCRBY', KEYS[8], author, -1) end
    return 1
  end
elseif now then
  if redis.call('HEXISTS', KEYS[3], task) == 1 then return 1 end
  if author ~= '' then
    redis.call('HSET', KEYS[3], task, node .. '|' .. author)
    redis.call('HINCRBY', KEYS[8], author, 1)
    redis.call('SADD', KEYS[5], KEYS[8])
  else
    redis.call('HSET', KEYS[3], task, node)
  end
else
  return 1
end
redis.call('ZADD', KEYS[7], ARGV[6], task)
if ARGV[7] == '1' then redis.call('HINCRBY', KEYS[4], node, 1) end
redis.call('SADD', KEYS[5], KEYS[7])
return 1
