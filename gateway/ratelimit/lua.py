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
    with the array (three alternating runs, bench/README.md). Keys stay
    `KEYS`, so a cluster routes and checks them."""
    return [orjson.dumps(list(args))]

# Detector updates, keys K[k0..#K], arguments from A[a0]: per op a kind
# (d|c|r), a window, a count n, then n members (or the value). A window's
# key (d, c) gets its TTL when an update may have made it (a distinct set
# that changed, a counter that was 0), not on every update (the key's window index
# ends its use before its TTL does; one command fewer per update). A run is
# one string, `value:length`, whose TTL slides with every update (an idle
# window ends the run): a GET and a SET, where a hash took three commands.
# A counter update's members may repeat (the batcher merges the updates of a
# tick): one HINCRBY per member, by its count.
_OBSERVE_FN = """
local function observe(K, k0, A, a0, sec)
  local out = {}
  local a = a0
  for i = k0, #K do
    local kind, window, n = A[a], tonumber(A[a + 1]), tonumber(A[a + 2])
    if kind == 'r' then
      local v = tonumber(A[a + 3])
      local last = redis.call('GET', K[i])
      local run = 1
      if last then
        local lv, ln = string.match(last, '^(%-?%d+):(%d+)$')
        local d = math.abs(v - tonumber(lv))
        if d == 1 then run = tonumber(ln) + 1 elseif d == 0 then run = tonumber(ln) end
      end
      redis.call('SET', K[i], A[a + 3] .. ':' .. run, 'PX', math.ceil(window * 1000))
      out[#out + 1] = run
    else
      local k = K[i] .. ':w' .. math.floor(sec / window)
      if kind == 'd' then
        local changed = 0  -- a key PFADD creates is changed: it gets its TTL then
        for j = a + 3, a + 2 + n, 500 do
          changed = changed + redis.call('PFADD', k, unpack(A, j, math.min(j + 499, a + 2 + n)))
        end
        if n == 0 then changed = changed + redis.call('PFADD', k) end
        if changed > 0 then redis.call('EXPIRE', k, math.ceil(window)) end
        out[#out + 1] = redis.call('PFCOUNT', k)
      else
        local add, names = {}, {}  -- one HINCRBY a member, however often it comes
        for j = a + 3, a + 2 + n do
          local m = A[j]
          if add[m] then add[m] = add[m] + 1 else add[m] = 1; names[#names + 1] = m end
        end
        local new = false  -- a counter just made may be a new key: it gets its TTL then
        for _, m in ipairs(names) do new = redis.call('HINCRBY', k, m, add[m]) == add[m] or new end
        if new then redis.call('EXPIRE', k, math.ceil(window)) end
        out[#out + 1] = redis.call('HGETALL', k)
      end
    end
    a = a + 3 + n
  end
  return out
end
"""

# One decision. K: buckets..., penalty keys..., op keys...   A: n_buckets,
# n_penalty_keys, day_offset, per bucket: rate, burst, quota, then the ops
# (as `observe` reads them). A penalty value is `action[:factor]|reason`. The
# detector updates of the request ride along. A TAT is stored with all its
# digits (`tostring` keeps 14: 0.1 ms at epoch magnitudes, which cost the
# last slot of a burst decided at one instant).
_DECIDE_FN = _OBSERVE_FN + """
local function decide(K, A, t)
  local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
  local n = tonumber(A[1])
  local npen = tonumber(A[2])
  local observed = observe(K, n + npen + 1, A, 4 + 3 * n, tonumber(t[1]))
  local factor = 1
  local day = math.floor((now + tonumber(A[3])) / 86400)
  local to_midnight = 86400 - ((now + tonumber(A[3])) % 86400)
  local penalty, penalty_ttl = '', 0
  -- every bucket's TAT and every penalty in one command
  local found = (n + npen) > 0 and redis.call('MGET', unpack(K, 1, n + npen)) or {}
  for i = 1, npen do
    local v = found[n + i]
    if v then
      local head = string.match(v, '^[^|]*')
      penalty = string.match(head, '^[^:]*')
      factor = tonumber(string.match(head, ':(%d+)$') or '1')
      penalty_ttl = redis.call('PTTL', K[n + i]) / 1000
      break
    end
  end
  if penalty == 'ban' then
    return {0, tostring(penalty_ttl), -1, penalty, tostring(penalty_ttl), 0, observed}
  end
  local tats, remaining = {}, {}
  for i = 1, n do
    local rate = tonumber(A[3 + 3 * i - 2])
    local burst = tonumber(A[3 + 3 * i - 1])
    local quota = tonumber(A[3 + 3 * i])
    if penalty == 'throttle' then rate = rate / factor; burst = 1 end
    local interval = 1 / rate
    local tolerance = interval * burst + 1e-6  -- float noise at equal times
    local tat = tonumber(found[i] or now)
    if tat < now then tat = now end
    local new_tat = tat + interval
    if new_tat - now > tolerance then
      local wait = math.max(new_tat - now - tolerance, 1e-6)
      return {0, tostring(wait), i - 1, penalty, tostring(penalty_ttl), 0, observed}
    end
    if quota > 0 then
      local used = tonumber(redis.call('GET', K[i] .. ':q' .. day) or 0)
      if used >= quota then
        return {0, tostring(to_midnight), i - 1, penalty, tostring(penalty_ttl), 1, observed}
      end
    end
    tats[i] = new_tat
    remaining[i] = math.max(0, math.floor((tolerance - (new_tat - now)) / interval))
  end
  for i = 1, n do
    redis.call('SET', K[i], string.format('%.17g', tats[i]),
               'PX', math.ceil((tats[i] - now + 1) * 1000))
    if tonumber(A[3 + 3 * i]) > 0 then
      local q = K[i] .. ':q' .. day
      redis.call('INCR', q)
      redis.call('EXPIRE', q, math.ceil(to_midnight) + 60)
    end
  end
  local out = {1, '0', -1, penalty, tostring(penalty_ttl), 0, observed}
  for i = 1, n do out[#out + 1] = remaining[i] end
  return out
end
"""

# Several decisions: the arguments' m, then per decision its key and argument
# counts, then every decision's arguments; KEYS are every decision's keys in
# order. Returns one reply per decision, in order. (Copied by loops, not
# `unpack`: an argument list can be longer than Lua's C stack.)
DECIDE = _DECIDE_FN + """
local t = redis.call('TIME')
local ARGS = cjson.decode(ARGV[1])
local m = tonumber(ARGS[1])
local out = {}
local k, a = 1, 2 + 2 * m
for d = 1, m do
  local nk, na = tonumber(ARGS[2 * d]), tonumber(ARGS[2 * d + 1])
  local K, A = {}, {}
  for j = 1, nk do K[j] = KEYS[k + j - 1] end
  for j = 1, na do A[j] = ARGS[a + j - 1] end
  out[d] = decide(K, A, t)
  k, a = k + nk, a + na
end
return out
"""
