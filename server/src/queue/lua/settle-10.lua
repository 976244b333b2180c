--[[
  Follow a claim's end that PostgreSQL already committed (submitted, released,
  expired, revoked): the claim leaves, the counters drop, and the task goes to
  its next place (a ready set at the same or another node) or leaves Redis when
  completed. Idempotent: does nothing unless the task is still held by exactly
  this claim (a rebuild may already reflect the change).

  A claim entry is only ever written together with the epoch (the claim script
  needs it; the rebuild writes the claim hash and the epoch in one MULTI, after
  everything else), so a matching entry means a complete state and the epoch is
  read only when the entry does not match. If the epoch was dropped for a
  rebuild since, the rebuild replaces what this changes.

  KEYS[1] epoch  KEYS[2] claim  KEYS[3] held  KEYS[4] deadlines  KEYS[5] at
  KEYS[6] reservedReady  KEYS[7] busy
  KEYS[8] target ready set (unused when completed)
  KEYS[9] target node's excluded counts (used with an author)
  KEYS[10] registry

  ARGV[1] taskId  ARGV[2] claimId  ARGV[3] target nodeId ("" = completed)
  ARGV[4] score  ARGV[5] author who may not take it at the target ("" = none)
  ARGV[6] "1" when the target set is a reserved one (counted in reservedReady)

  Returns 1 applied, 0 not held by this claim, -1 not loaded.
]]
local task, claimId, target = ARGV[1], ARGV[2], ARGV[3]
local v = redis.call('HGET', KEYS[2], task)
if not v or string.sub(v, 1, #claimId + 1) ~= claimId .. '|' then
  if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
  return 0
end
local _, user, typ, node = string.match(v, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
redis.call('HDEL', KEYS[2], task)
redis.call('HINCRBY', KEYS[3], 'u:' .. user, -1)
redis.call('HINCRBY', KEYS[3], 't:' .. typ, -1)
redis.call('ZREM', KEYS[4], task, 'w:' .. task)
redis.call('HINCRBY', KEYS[7], node, -1)
if target == '' then
  redis.call('HDEL', KEYS[5], task)
  return 1
end
local author = ARGV[5]
redis.call('ZADD', KEYS[8], ARGV[4], task)
if ARGV[6] == '1' then redis.call('HINCRBY', KEYS[6], target, 1) end
if author ~= '' then
  redis.call('HSET', KEYS[5], task, target .. '|' .. author)
  redis.call('HINCRBY', KEYS[9], author, 1)
  redis.call('SADD', KEYS[10], KEYS[8], KEYS[9])
else
  redis.call('HSET', KEYS[5], task, target)
  redis.call('SADD', KEYS[10], KEYS[8])
end
return 1
