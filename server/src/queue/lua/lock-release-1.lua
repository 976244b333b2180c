--[[
  Release a lock only while it is still ours (also: drop a project's epoch only
  while it still holds a given generation).
  KEYS[1] the lock   ARGV[1] our token
  Returns 1 released, 0 not ours.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
