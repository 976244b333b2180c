--[[
  "Submit and take the next": follow the end of one claim that PostgreSQL
  already committed (settle-10.lua) and claim the next task for the same
  contributor (claim-12.lua), in one call instead of two. The settle runs
  first, so the finished claim no longer counts against the contributor's
  limits when the next one is decided. Both are the included scripts
  unchanged; this file only maps the keys and arguments.

  KEYS[1..12]  claim-12.lua's keys, in its order (its epoch, claim, held,
               deadlines, at, reservedReady and busy are settle's too)
  KEYS[13] settle's target ready set   KEYS[14] the target node's excluded counts
  KEYS[15] registry

  ARGV[1..6]   settle-10.lua's arguments
  ARGV[7..17]  claim-12.lua's arguments

  Returns {settled, claimed}: settle's answer (1 applied, 0 not held by this
  claim, -1 not loaded) and claim's (its grant, or a code). When the state is
  not loaded neither runs: {-1, -1}.
]]
--- @include settle-10.lua as settle
--- @include claim-12.lua as claim

local settled = settle(
  {KEYS[1], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[11], KEYS[12], KEYS[13], KEYS[14], KEYS[15]},
  {ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]})
if settled == -1 then return {-1, -1} end
local ck, ca = {}, {}
for i = 1, 12 do ck[i] = KEYS[i] end
for i = 1, 11 do ca[i] = ARGV[i + 6] end
return {settled, claim(ck, ca)}
