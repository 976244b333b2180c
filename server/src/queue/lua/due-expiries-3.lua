--[[
  Read the claims whose lease deadline has passed (changes nothing: PostgreSQL
  decides each expiry, then settle follows).

  KEYS[1] epoch  KEYS[2] deadlines  KEYS[3] claim

  ARGV[1] now (ms)  ARGV[2] most to read

  Returns a flat list: taskId, deadline (ms), "claimId|userId|typeId|nodeId" or "", … ;
  or -1 not loaded.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
-- From 0: the warnings in the same zset score below zero.
local due = redis.call('ZRANGEBYSCORE', KEYS[2], 0, ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for i = 1, #due, 2 do
  out[#out + 1] = due[i]
  out[#out + 1] = due[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[3], due[i]) or ''
end
return out
