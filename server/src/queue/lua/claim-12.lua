--[[
  Claim one task for a contributor at one node, atomically: exclusivity,
  eligibility (assignment, rework reservation, never the review of one's own
  submission), the contributor's claim limit, the type's pool limit and the
  lease deadline. PostgreSQL records the claim afterwards (pipelines_claim).

  KEYS[1]  epoch      present while the project's state is loaded (value: generation)
  KEYS[2]  cfg        project config version
  KEYS[3]  ready      the node's open ready set (zset taskId → score)
  KEYS[4]  readyUser  the node's set reserved for this contributor
  KEYS[5]  readyType  the node's set reserved for this contributor's type
  KEYS[6]  claim      hash taskId → "claimId|userId|typeId|nodeId"
  KEYS[7]  held       hash "u:<userId>" / "t:<typeId>" → claims held
  KEYS[8]  deadlines  zset taskId → lease deadline (ms), 'w:' .. taskId → warning score
  KEYS[9]  at         hash taskId → nodeId, or "nodeId|authorId" at a review node
  KEYS[10] excluded   hash (this node) authorId → open tasks here they may not take
  KEYS[11] reservedReady  hash nodeId → tasks in its reserved sets
  KEYS[12] busy       hash nodeId → active claims

  ARGV[1] config version the caller's limits were read at
  ARGV[2] userId   ARGV[3] typeId ("_" = none)   ARGV[4] nodeId   ARGV[5] new claimId
  ARGV[6] claim limit   ARGV[7] pool limit (0 = none)
  ARGV[8] lease deadline (ms)   ARGV[9] warning score (keys.ts warnScore of when to warn)
  ARGV[10] the taskId asked for, or "" for the next one
  ARGV[11] "1" on a review node (authors are excluded)

  Returns {taskId, score, from (3, 4 or 5: the ready set it left), generation},
  or a code: -1 not loaded, -2 claim limit, -3 pool limit, -4 queue empty,
  -5 task unavailable, -7 stale config.
]]
-- One call for both (every redis.call costs about as much again as the command).
local loaded = redis.call('MGET', KEYS[1], KEYS[2])
local generation = loaded[1]
if not generation then return -1 end
if (loaded[2] or '0') ~= ARGV[1] then return -7 end
local user, typ, node = ARGV[2], ARGV[3], ARGV[4]
local limit, pool = tonumber(ARGV[6]), tonumber(ARGV[7])
local fu, ft = 'u:' .. user, 't:' .. typ
-- The limits are checked by the counters' own increments once a task is found
-- (one call fewer per claim), and read only when none is: either way a limit
-- answers before "nothing for you" (-2, -3 before -4, -5).
local function noTask(code)
  local n = redis.call('HMGET', KEYS[7], fu, ft)
  if tonumber(n[1] or '0') >= limit then return -2 end
  if pool > 0 and tonumber(n[2] or '0') >= pool then return -3 end
  return code
end
local review = ARGV[11] == '1'
local function author(t)
  local at = redis.call('HGET', KEYS[9], t)
  return at and string.match(at, '|(.*)$')
end

local task, score, from, popped
if ARGV[10] ~= '' then
  task = ARGV[10]
  for i = 3, 5 do
    local s = redis.call('ZSCORE', KEYS[i], task)
    if s then score, from = s, i break end
  end
  if not from or (review and author(task) == user) then return noTask(-5) end
else
  -- Sets are ordered by (score, member): the best candidate is the smallest.
  local function better(t, s)
    if not task then return true end
    local a, b = tonumber(s), tonumber(score)
    return a < b or (a == b and t < task)
  end
  -- The reserved sets are usually absent: one EXISTS for both instead of two reads.
  if redis.call('EXISTS', KEYS[4], KEYS[5]) > 0 then
    for i = 4, 5 do
      local top = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
      if top[1] and better(top[1], top[2]) then task, score, from = top[1], top[2], i end
    end
  end
  -- Only the caller's own submissions waiting here are skipped, so the scan is
  -- bounded by those (and skipped entirely when there are none).
  local skip = review and tonumber(redis.call('HGET', KEYS[10], user) or '0') > 0
  if not task and not skip then
    -- Nothing to compare or skip (the common case): the open set's first wins,
    -- taken in one call.
    local top = redis.call('ZPOPMIN', KEYS[3])
    if top[1] then task, score, from, popped = top[1], top[2], 3, true end
  else
    -- With nobody to skip the first member decides: read one, not a page (a page
    -- of 32 with scores was a third of this script's time).
    local size = skip and 32 or 1
    local offset, done = 0, false
    while not done do
      local page = redis.call('ZRANGE', KEYS[3], offset, offset + size - 1, 'WITHSCORES')
      if #page == 0 then break end
      for j = 1, #page, 2 do
        if not better(page[j], page[j + 1]) then done = true break end
        if not skip or author(page[j]) ~= user then
          task, score, from = page[j], page[j + 1], 3
          done = true
          break
        end
      end
      offset = offset + size
    end
  end
  if not task then return noTask(-4) end
end

-- Over a limit: take the increments back (and the popped task: same score, same
-- place), so the script changes nothing, as if it had checked first.
local held = redis.call('HINCRBY', KEYS[7], fu, 1)
local typeHeld = held <= limit and redis.call('HINCRBY', KEYS[7], ft, 1)
if held > limit or (pool > 0 and typeHeld > pool) then
  redis.call('HINCRBY', KEYS[7], fu, -1)
  if typeHeld then redis.call('HINCRBY', KEYS[7], ft, -1) end
  if popped then redis.call('ZADD', KEYS[3], score, task) end
  return held > limit and -2 or -3
end

if not popped then redis.call('ZREM', KEYS[from], task) end
-- The open set counts itself (ZCARD); the reserved ones are counted per node.
if from ~= 3 then
  redis.call('HINCRBY', KEYS[11], node, -1)
elseif review then
  local a = author(task)
  if a then redis.call('HINCRBY', KEYS[10], a, -1) end
end
redis.call('HSET', KEYS[6], task, ARGV[5] .. '|' .. user .. '|' .. typ .. '|' .. node)
redis.call('ZADD', KEYS[8], ARGV[8], task, ARGV[9], 'w:' .. task)
redis.call('HINCRBY', KEYS[12], node, 1)
return {task, score, from, generation}
