--[[
  Extend a lock only while it is still ours.
  KEYS[1] the lock   ARGV[1] our token   ARGV[2] new time to live (ms)
  Returns 1 extended, 0 not ours (lost or taken over).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
