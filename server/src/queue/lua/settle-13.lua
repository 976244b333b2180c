--[[
  Follow a claim's end that PostgreSQL already committed (submitted, released,
  expired, revoked): the claim leaves, the counters drop, and the task goes to
  its next place (a ready set at the same or another node) or leaves Redis when
  completed. Idempotent: does nothing unless the task is still held by exactly
  this claim (a rebuild may already reflect the change).

  KEYS[1] epoch  KEYS[2] claim  KEYS[3] perUser  KEYS[4] perType
  KEYS[5] deadlines  KEYS[6] warnings  KEYS[7] at  KEYS[8] excl
  KEYS[9] available  KEYS[10] busy
  KEYS[11] target ready set (unused when completed)
  KEYS[12] target node's excluded counts (used with an author)
  KEYS[13] registry

  ARGV[1] taskId  ARGV[2] claimId  ARGV[3] target nodeId ("" = completed)
  ARGV[4] score  ARGV[5] author who may not take it at the target ("" = none)

  Returns 1 applied, 0 not held by this claim, -1 not loaded.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local task, claimId, target = ARGV[1], ARGV[2], ARGV[3]
local v = redis.call('HGET', KEYS[2], task)
if not v or string.sub(v, 1, #claimId + 1) ~= claimId .. '|' then return 0 end
local _, user, typ, node = string.match(v, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
redis.call('HDEL', KEYS[2], task)
redis.call('HINCRBY', KEYS[3], user, -1)
redis.call('HINCRBY', KEYS[4], typ, -1)
redis.call('ZREM', KEYS[5], task)
redis.call('ZREM', KEYS[6], task)
redis.call('HINCRBY', KEYS[10], node, -1)
if target == '' then
  redis.call('HDEL', KEYS[7], task)
  redis.call('HDEL', KEYS[8], task)
  return 1
end
redis.call('HSET', KEYS[7], task, target)
redis.call('ZADD', KEYS[11], ARGV[4], task)
redis.call('HINCRBY', KEYS[9], target, 1)
redis.call('SADD', KEYS[13], KEYS[11])
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[8], task, ARGV[5])
  redis.call('HINCRBY', KEYS[12], ARGV[5], 1)
  redis.call('SADD', KEYS[13], KEYS[12])
else
  redis.call('HDEL', KEYS[8], task)
end
return 1
