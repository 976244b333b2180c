--[[
  Put newly committed tasks into a ready set of one task node. Idempotent: a
  task Redis already places (a rebuild read it) is left alone.

  KEYS[1] epoch  KEYS[2] at  KEYS[3] reservedReady  KEYS[4] registry  KEYS[5] ready

  ARGV[1] nodeId  ARGV[2] "1" when the set is a reserved one (counted in reservedReady),
  then pairs: ARGV[2k+1] taskId, ARGV[2k+2] score

  Returns the number added, or -1 not loaded.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local node, added = ARGV[1], 0
for i = 3, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], node) == 1 then
    redis.call('ZADD', KEYS[5], ARGV[i + 1], ARGV[i])
    added = added + 1
  end
end
if added > 0 then
  if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[3], node, added) end
  redis.call('SADD', KEYS[4], KEYS[5])
end
return added
