"""The Redis scripts, on Redis's own clock (`TIME`: no skew between replicas).

`DECIDE` takes several decisions in one call, one after another, as if each
were its own script call: the decisions of many requests made in one
event-loop tick cost one round trip (`coalesce.py`). Every key it touches
carries a TTL. Distinct counts use HyperLogLog (`PFADD`/`PFCOUNT`, ~0.8 %
error). Each script reads its arguments as one JSON array (`packed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson


def packed(args: Sequence[Any]) -> list[bytes]:
    """A script's arguments as it reads them: one JSON array, decoded by
    `cjson` inside the script. Chosen while redis-py packed each argument in
    Python (~1 µs apiece; a coalesced call of 32 decisions carries hundreds).
    With commands packed in C (`resp.py`) separate arguments were measured
    again and cost Redis no less: 23.0-27.9 µs a decision against 21.4-25.8
    with the array (three alternating runs, bench/README.md); with decisions
    reading their arguments in place, 22.7 against 21.5 (numbers arrive as
    numbers, not strings for `tonumber`). Keys stay `KEYS`, so a cluster
    routes and checks them."""
    return [orjson.dumps(list(args))]

# The script's own names for what it calls most (a global is a table lookup
# in Lua; a local is a register).
_LOCALS = """
local call, tonumber, tostring, unpack, ipairs = redis.call, tonumber, tostring, unpack, ipairs
local floor, ceil, max, min, abs = math.floor, math.ceil, math.max, math.min, math.abs
local match, format = string.match, string.format
local ARGS = cjson.decode(ARGV[1])
local NONE = {}
"""

# Detector updates, keys KEYS[k0..k1], arguments from ARGS[a]: per op a kind
# (d|c|a|r), a window, a count n, then n members (or the value); an `a`
# (add) is a `c` (count) whose counters no one reads: no HGETALL, result 0
# (a flush of many clients' added-up counts: a third of its Redis time). Each result
# goes into the decision's reply `out` after its head; returns how many. A
# window's key (d, c) gets its TTL when an update may have made it (a
# distinct set that changed, a counter that was 0), not on every update (the
# key's window index ends its use before its TTL does; one command fewer per
# update). A run is one string, `value:length`, whose TTL slides with every
# update (an idle window ends the run): a GET and a SET, where a hash took
# three commands. A counter update's members may repeat (the batcher merges
# the updates of a tick): one HINCRBY per member, by its count.
_OBSERVE_FN = """
local function observe(k0, k1, a, sec, out)
  local o = #out
  for i = k0, k1 do
    local kind, window, n = ARGS[a], tonumber(ARGS[a + 1]), tonumber(ARGS[a + 2])
    local key = KEYS[i]
    o = o + 1
    if kind == 'r' then
      local value = ARGS[a + 3]
      local last = call('GET', key)
      local run = 1
      if last then
        local lv, ln = match(last, '^(%-?%d+):(%d+)$')
        local d = abs(tonumber(value) - tonumber(lv))
        if d == 1 then run = tonumber(ln) + 1 elseif d == 0 then run = tonumber(ln) end
      end
      call('SET', key, value .. ':' .. run, 'PX', ceil(window * 1000))
      out[o] = run
    else
      local k = key .. ':w' .. floor(sec / window)
      if kind == 'd' then
        local changed = 0  -- a key PFADD creates is changed: it gets its TTL then
        for j = a + 3, a + 2 + n, 500 do
          changed = changed + call('PFADD', k, unpack(ARGS, j, min(j + 499, a + 2 + n)))
        end
        if n == 0 then changed = changed + call('PFADD', k) end
        if changed > 0 then call('EXPIRE', k, ceil(window)) end
        out[o] = call('PFCOUNT', k)
      else
        local add, names = {}, {}  -- one HINCRBY a member, however often it comes
        for j = a + 3, a + 2 + n do
          local m = ARGS[j]
          if add[m] then add[m] = add[m] + 1 else add[m] = 1; names[#names + 1] = m end
        end
        local new = false  -- a counter just made may be a new key: it gets its TTL then
        for _, m in ipairs(names) do new = call('HINCRBY', k, m, add[m]) == add[m] or new end
        if new then call('EXPIRE', k, ceil(window)) end
        if kind == 'c' then out[o] = call('HGETALL', k) else out[o] = 0 end
      end
    end
    a = a + 3 + n
  end
  return o - HEAD
end
"""

# One decision: keys KEYS[k..k1] (buckets, penalty keys, op keys), arguments
# from ARGS[a]: n_buckets, n_penalty_keys, day_offset, per bucket: rate,
# burst, quota, then the ops (as `observe` reads them). Its reply is one flat
# list (a table per reply and per result cost Redis more than the commands:
# bench/README.md): allowed, retry, denied, penalty, penalty_ttl, quota, the
# number of results, the results, then (admitted) each bucket's remaining. A
# penalty value is `action[:factor]|reason`. A TAT is stored with all its
# digits (`tostring` keeps 14: 0.1 ms at epoch magnitudes, which cost the
# last slot of a burst decided at one instant).
_DECIDE_FN = """
local HEAD = 7
""" + _OBSERVE_FN + """
local tats, rems = {}, {}
local function decide(k, k1, a, now, sec)
  local n, npen = tonumber(ARGS[a]), tonumber(ARGS[a + 1])
  local out = {1, '0', -1, '', '0', 0, 0}
  out[HEAD] = observe(k + n + npen, k1, a + 3 + 3 * n, sec, out)
  local offset = tonumber(ARGS[a + 2])
  local day = floor((now + offset) / 86400)
  local to_midnight = 86400 - ((now + offset) % 86400)
  local penalty, penalty_ttl, factor = '', '0', 1
  -- every bucket's TAT and every penalty in one command
  local found = (n + npen) > 0 and call('MGET', unpack(KEYS, k, k + n + npen - 1)) or NONE
  for i = 1, npen do
    local v = found[n + i]
    if v then
      local head = match(v, '^[^|]*')
      penalty = match(head, '^[^:]*')
      factor = tonumber(match(head, ':(%d+)$') or '1')
      penalty_ttl = tostring(call('PTTL', KEYS[k + n + i - 1]) / 1000)
      break
    end
  end
  out[4], out[5] = penalty, penalty_ttl
  if penalty == 'ban' then
    out[1], out[2] = 0, penalty_ttl
    return out
  end
  local b = a + 3
  for i = 1, n do
    local rate, burst, quota = tonumber(ARGS[b]), tonumber(ARGS[b + 1]), tonumber(ARGS[b + 2])
    if penalty == 'throttle' then rate = rate / factor; burst = 1 end
    local interval = 1 / rate
    local tolerance = interval * burst + 1e-6  -- float noise at equal times
    local tat = tonumber(found[i] or now)
    if tat < now then tat = now end
    local new_tat = tat + interval
    if new_tat - now > tolerance then
      out[1], out[2], out[3] = 0, tostring(max(new_tat - now - tolerance, 1e-6)), i - 1
      return out
    end
    if quota > 0 then
      local used = tonumber(call('GET', KEYS[k + i - 1] .. ':q' .. day) or 0)
      if used >= quota then
        out[1], out[2], out[3], out[6] = 0, tostring(to_midnight), i - 1, 1
        return out
      end
    end
    tats[i] = new_tat
    rems[i] = max(0, floor((tolerance - (new_tat - now)) / interval))
    b = b + 3
  end
  local o = #out
  for i = 1, n do
    local key, new_tat = KEYS[k + i - 1], tats[i]
    call('SET', key, format('%.17g', new_tat), 'PX', ceil((new_tat - now + 1) * 1000))
    if tonumber(ARGS[a + 3 * i + 2]) > 0 then
      local q = key .. ':q' .. day
      call('INCR', q)
      call('EXPIRE', q, ceil(to_midnight) + 60)
    end
    out[o + i] = rems[i]
  end
  return out
end
"""

# Several decisions: the arguments' m, then per decision its key and argument
# counts, then every decision's arguments; KEYS are every decision's keys in
# order. Returns one reply per decision, in order. Each decision reads its
# keys and arguments where they are (copying them into tables of their own
# cost more than the decision's commands).
DECIDE = _LOCALS + _DECIDE_FN + """
local t = call('TIME')
local sec = tonumber(t[1])
local now = sec + tonumber(t[2]) / 1000000
local m = tonumber(ARGS[1])
local replies = {}
local k, a = 1, 2 + 2 * m
for d = 1, m do
  local nk, na = tonumber(ARGS[2 * d]), tonumber(ARGS[2 * d + 1])
  replies[d] = decide(k, k + nk - 1, a, now, sec)
  k, a = k + nk, a + na
end
return replies
"""
