"""The Redis store: every decision is one Lua script on Redis's own clock.

Scripts read `TIME` (no clock skew between replicas), every key carries a TTL,
and keys of one client dimension share a hash tag (`pgw:rl:{<hmac>}:<rule>`).
Distinct counts use HyperLogLog (`PFADD`/`PFCOUNT`, ~0.8 % error). A
decision touches the keys of all the client's dimensions in one script, so
this store needs one Redis (or a Sentinel primary); `cluster_store.py` runs
the same scripts per hash slot on Redis Cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from gateway.ratelimit.store import DAY_OFFSET, Bucket, Observed, Op, Penalty, Verdict

# Detector updates, from KEYS[k0] and ARGV[a0] on: per op a kind (d|c|r), a
# window, a count n, then n members (or the value). Shared by both scripts.
_OBSERVE_FN = """
local function observe(k0, a0, sec)
  local out = {}
  local a = a0
  for i = k0, #KEYS do
    local kind, window, n = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
    if kind == 'r' then
      local v = tonumber(ARGV[a + 3])
      local last = redis.call('HMGET', KEYS[i], 'v', 'n')
      local run = 1
      if last[1] then
        local d = math.abs(v - tonumber(last[1]))
        if d == 1 then run = tonumber(last[2]) + 1 elseif d == 0 then run = tonumber(last[2]) end
      end
      redis.call('HSET', KEYS[i], 'v', ARGV[a + 3], 'n', run)
      redis.call('EXPIRE', KEYS[i], math.ceil(window))
      out[#out + 1] = run
    else
      local k = KEYS[i] .. ':w' .. math.floor(sec / window)
      if kind == 'd' then
        for j = a + 3, a + 2 + n, 500 do
          redis.call('PFADD', k, unpack(ARGV, j, math.min(j + 499, a + 2 + n)))
        end
        if n == 0 then redis.call('PFADD', k) end
        redis.call('EXPIRE', k, math.ceil(window))
        out[#out + 1] = redis.call('PFCOUNT', k)
      else
        for j = a + 3, a + 2 + n do redis.call('HINCRBY', k, ARGV[j], 1) end
        redis.call('EXPIRE', k, math.ceil(window))
        out[#out + 1] = redis.call('HGETALL', k)
      end
    end
    a = a + 3 + n
  end
  return out
end
"""
_OBSERVE = _OBSERVE_FN + """
return observe(1, 1, tonumber(redis.call('TIME')[1]))
"""

# KEYS: buckets..., penalty keys..., op keys...   ARGV: n_buckets, n_penalty_keys,
# day_offset, per bucket: rate, burst, quota, then the ops (as `observe` reads
# them). A penalty value is `action[:factor]|reason`. The detector updates of
# the request ride along, so a request costs one round trip here.
_DECIDE = _OBSERVE_FN + """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local n = tonumber(ARGV[1])
local npen = tonumber(ARGV[2])
local observed = observe(n + npen + 1, 4 + 3 * n, tonumber(t[1]))
local factor = 1
local day = math.floor((now + tonumber(ARGV[3])) / 86400)
local to_midnight = 86400 - ((now + tonumber(ARGV[3])) % 86400)
local penalty, penalty_ttl = '', 0
for i = n + 1, n + npen do
  local v = redis.call('GET', KEYS[i])
  if v then
    local head = string.match(v, '^[^|]*')
    penalty = string.match(head, '^[^:]*')
    factor = tonumber(string.match(head, ':(%d+)$') or '1')
    penalty_ttl = redis.call('PTTL', KEYS[i]) / 1000
    break
  end
end
if penalty == 'ban' then
  return {0, tostring(penalty_ttl), -1, penalty, tostring(penalty_ttl), 0, observed}
end
local tats, remaining = {}, {}
for i = 1, n do
  local rate = tonumber(ARGV[3 + 3 * i - 2])
  local burst = tonumber(ARGV[3 + 3 * i - 1])
  local quota = tonumber(ARGV[3 + 3 * i])
  if penalty == 'throttle' then rate = rate / factor; burst = 1 end
  local interval = 1 / rate
  local tolerance = interval * burst
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval
  if new_tat - now > tolerance then
    return {0, tostring(new_tat - now - tolerance), i - 1, penalty, tostring(penalty_ttl), 0,
            observed}
  end
  if quota > 0 then
    local used = tonumber(redis.call('GET', KEYS[i] .. ':q' .. day) or 0)
    if used >= quota then
      return {0, tostring(to_midnight), i - 1, penalty, tostring(penalty_ttl), 1, observed}
    end
  end
  tats[i] = new_tat
  remaining[i] = math.floor((tolerance - (new_tat - now)) / interval)
end
for i = 1, n do
  redis.call('SET', KEYS[i], tostring(tats[i]), 'PX', math.ceil((tats[i] - now + 1) * 1000))
  if tonumber(ARGV[3 + 3 * i]) > 0 then
    local q = KEYS[i] .. ':q' .. day
    redis.call('INCR', q)
    redis.call('EXPIRE', q, math.ceil(to_midnight) + 60)
  end
end
local out = {1, '0', -1, penalty, tostring(penalty_ttl), 0, observed}
for i = 1, n do out[#out + 1] = remaining[i] end
return out
"""

def no_retry() -> Retry:
    """No retries inside redis-py: a decision script that timed out may have run,
    and running it again would charge the client twice; the breaker decides
    what happens after a failure."""
    return Retry(NoBackoff(), 0)


def _op_args(ops: Sequence[Op]) -> list[Any]:
    args: list[Any] = []
    for op in ops:
        if op.kind == "run":
            args += ["r", op.window, 1, op.value]
        else:
            args += ["d" if op.kind == "distinct" else "c", op.window, len(op.members),
                     *op.members]
    return args


def _results(out: list[Any]) -> tuple[Observed, ...]:
    return tuple(int(r) if not isinstance(r, list)
                 else {r[i]: int(r[i + 1]) for i in range(0, len(r), 2)} for r in out)


class RedisStore:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.redis: Redis | RedisCluster = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True,
            retry=no_retry())
        self._decide = self.redis.register_script(_DECIDE)
        self._observe = self.redis.register_script(_OBSERVE)

    async def decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
                     ops: Sequence[Op] = ()) -> Verdict:
        args: list[Any] = [len(buckets), len(penalty_keys), DAY_OFFSET]
        for b in buckets:
            args += [repr(b.rate), b.burst, b.quota]
        out = await self._decide(
            keys=[*(b.key for b in buckets), *penalty_keys, *(op.key for op in ops)],
            args=args + _op_args(ops))
        allowed, retry, denied, penalty, penalty_ttl, quota, observed = out[:7]
        return Verdict(bool(int(allowed)), float(retry), tuple(int(r) for r in out[7:]),
                       int(denied), penalty or "", float(penalty_ttl), bool(int(quota)),
                       _results(observed))

    async def observe(self, ops: Sequence[Op]) -> list[Observed]:
        if not ops:
            return []
        out = await self._observe(keys=[op.key for op in ops], args=_op_args(ops))
        return list(_results(out))

    async def penalize(self, key: str, action: str, reason: str, seconds: float) -> None:
        await self.redis.set(key, f"{action}|{reason}", px=max(1, int(seconds * 1000)))

    async def penalties(self) -> list[Penalty]:
        found = []
        async for key in self.redis.scan_iter(match="pgw:pen:*", count=500):
            value, ttl = await self.redis.get(key), await self.redis.pttl(key)
            if isinstance(value, str) and ttl > 0:
                action, _, reason = value.partition("|")
                found.append(Penalty(key, action.partition(":")[0], reason, round(ttl / 1000, 1)))
        return found

    async def lift(self, key: str) -> bool:
        return bool(await self.redis.delete(key))

    async def close(self) -> None:
        await self.redis.aclose()
