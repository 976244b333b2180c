--[[
  Move a held claim's lease deadline (heartbeat, or a repair to PostgreSQL's
  value) and re-arm its expiry warning.

  KEYS[1] epoch  KEYS[2] claim  KEYS[3] deadlines (and warnings: 'w:' .. taskId)

  ARGV[1] taskId  ARGV[2] claimId  ARGV[3] deadline (ms)  ARGV[4] warning score (keys.ts warnScore)

  Returns 1 moved, 0 not held by this claim, -1 not loaded.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local claimId = ARGV[2]
local v = redis.call('HGET', KEYS[2], ARGV[1])
if not v or string.sub(v, 1, #claimId + 1) ~= claimId .. '|' then return 0 end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1], ARGV[4], 'w:' .. ARGV[1])
return 1
