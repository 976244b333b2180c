--[[
  Take the claims whose expiry warning is due: each is returned once (a
  heartbeat re-arms it for the new deadline).

  KEYS[1] epoch  KEYS[2] warnings  KEYS[3] claim  KEYS[4] deadlines

  ARGV[1] now (ms)  ARGV[2] most to take

  Returns a flat list: taskId, "claimId|userId|typeId|nodeId", deadline (ms), … ;
  or -1 not loaded.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, task in ipairs(due) do
  redis.call('ZREM', KEYS[2], task)
  local v = redis.call('HGET', KEYS[3], task)
  local deadline = redis.call('ZSCORE', KEYS[4], task)
  if v and deadline then
    out[#out + 1] = task
    out[#out + 1] = v
    out[#out + 1] = deadline
  end
end
return out
