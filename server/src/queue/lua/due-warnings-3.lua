--[[
  Take the claims whose expiry warning is due: each is returned once (a
  heartbeat re-arms it for the new deadline). Warnings are the deadlines zset's
  'w:' .. taskId members, all below zero (keys.ts warnScore).

  KEYS[1] epoch  KEYS[2] deadlines  KEYS[3] claim

  ARGV[1] warnScore(now)  ARGV[2] most to take

  Returns a flat list: taskId, "claimId|userId|typeId|nodeId", deadline (ms), … ;
  or -1 not loaded.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due == 0 then return {} end
redis.call('ZREM', KEYS[2], unpack(due))
local out = {}
for _, member in ipairs(due) do
  local task = string.sub(member, 3)
  local v = redis.call('HGET', KEYS[3], task)
  local deadline = redis.call('ZSCORE', KEYS[2], task)
  if v and deadline then
    out[#out + 1] = task
    out[#out + 1] = v
    out[#out + 1] = deadline
  end
end
return out
