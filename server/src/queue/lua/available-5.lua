--[[
  Read only: the tasks one contributor could claim at one node, in the claim's
  order (lowest score first, then member), from the same three ready sets
  claim-12.lua picks from, so the list and the claim cannot disagree. A page
  starts after a cursor (score, taskId); the cursor's task may have left meanwhile.

  KEYS[1]  epoch      present while the project's state is loaded
  KEYS[2]  ready      the node's open ready set (zset taskId → score)
  KEYS[3]  readyUser  the node's set reserved for this contributor
  KEYS[4]  readyType  the node's set reserved for this contributor's type
  KEYS[5]  at         hash taskId → nodeId, or "nodeId|authorId" at a review node

  ARGV[1] the cursor's score ("" for the first page)   ARGV[2] the cursor's taskId
  ARGV[3] how many to return at most   ARGV[4] userId
  ARGV[5] "1" on a review node (the caller's own submissions are skipped, as the claim skips them)

  Returns -1 when the state is not loaded, else a flat list
  {taskId, score, from (2, 3 or 4: the set it waits in), ...} in order.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local want, user, review = tonumber(ARGV[3]), ARGV[4], ARGV[5] == '1'
local afterScore, afterId = ARGV[1], ARGV[2]

-- Byte order, as Redis orders members of equal score (Lua's < follows the locale).
local function before(a, b)
  if a == b then return false end
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- The rank of the first member after the cursor: the cursor's own rank + 1 when it
-- is still there with that score, else a binary search among the members of equal
-- score (an import shares one instant: there may be thousands).
local function startRank(key)
  if afterScore == '' then return 0 end
  local own = redis.call('ZSCORE', key, afterId)
  if own and tonumber(own) == tonumber(afterScore) then return redis.call('ZRANK', key, afterId) + 1 end
  local lo = redis.call('ZCOUNT', key, '-inf', '(' .. afterScore)
  local hi = lo + redis.call('ZCOUNT', key, afterScore, afterScore)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if before(afterId, redis.call('ZRANGE', key, mid, mid)[1]) then hi = mid else lo = mid + 1 end
  end
  return lo
end

local function author(t)
  local at = redis.call('HGET', KEYS[5], t)
  return at and string.match(at, '|(.*)$')
end

-- Up to `want` from each set (skipping the caller's own submissions in the open
-- set of a review node), then the best `want` of them all.
local found = {}
for i = 2, 4 do
  local skip = review and i == 2
  local rank, got = startRank(KEYS[i]), 0
  while got < want do
    local page = redis.call('ZRANGE', KEYS[i], rank, rank + want - 1, 'WITHSCORES')
    for j = 1, #page, 2 do
      if not skip or author(page[j]) ~= user then
        found[#found + 1] = { page[j], page[j + 1], tonumber(page[j + 1]), i }
        got = got + 1
        if got == want then break end
      end
    end
    if #page < want * 2 then break end
    rank = rank + want
  end
end
table.sort(found, function(a, b)
  if a[3] ~= b[3] then return a[3] < b[3] end
  return before(a[1], b[1])
end)
local out = {}
for n = 1, math.min(want, #found) do
  local f = found[n]
  out[#out + 1] = f[1]
  out[#out + 1] = f[2]
  out[#out + 1] = f[4]
end
return out
