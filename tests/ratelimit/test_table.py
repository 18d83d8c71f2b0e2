"""The native core's LimitTable against the reference Table: the same calls
at the same times give the same answers, float for float."""

from __future__ import annotations

import random
import sys

import pytest

from gateway.native import STATUS, core
from gateway.ratelimit.memory import new_table
from gateway.ratelimit.store import DAY_OFFSET, GCRA_SLACK, Bucket, Op, Verdict
from gateway.ratelimit.table import SWEEP_EVERY, Table

pytestmark = pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")

MIDNIGHT = 1_764_000_000 - (1_764_000_000 + DAY_OFFSET) % 86400 + 86400  # UTC+8


def _step(rng: random.Random) -> float:
    """Time between calls: the same instant, bursts, pauses, window-long gaps."""
    return rng.choice([0.0, 0.0, 1e-6, rng.uniform(0, 0.05), rng.uniform(0, 2),
                       rng.uniform(0, 120)])


def _calls(rng: random.Random, count: int, start: float) -> list[tuple[str, tuple[object, ...]]]:
    """A few clients' traffic: decisions over their buckets (some with daily
    quotas) carrying detector updates, responses' counts, penalties laid and
    lifted."""
    clients = [f"{{{rng.getrandbits(48):012x}}}" for _ in range(rng.randint(1, 6))]
    limits = [(name, rng.choice([0.5, 1.0, 5.0, 20.0, 100.0, 1000.0]), rng.randint(1, 50),
               rng.choice([0, 0, 3, 50])) for name in ("per-ip", "per-key", "burst")]
    calls: list[tuple[str, tuple[object, ...]]] = []
    now = start
    for _ in range(count):
        now += _step(rng)
        client = rng.choice(clients)
        chosen = rng.sample(limits, rng.randint(0, len(limits)))
        buckets = [Bucket(f"pgw:rl:{client}:{n}", r, b, q) for n, r, b, q in chosen]
        named = rng.sample(clients, rng.randint(0, min(2, len(clients))))
        penalties = [f"pgw:pen:{c}" for c in named]
        ops = []
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(["distinct", "count", "add", "run"])
            window = rng.choice([1.0, 10.0, 60.0, 3600.0])
            if kind == "distinct":
                ops.append(Op(kind, f"pgw:en:{client}:loans", window,
                              tuple(str(rng.randint(0, 40)) for _ in range(rng.randint(0, 4)))))
            elif kind == "count" or kind == "add":
                ops.append(Op(kind, f"pgw:pr:{client}", window,
                              rng.choice([("all",), ("all", "error")])))
            else:
                ops.append(Op(kind, f"pgw:sr:{client}:loans", window,
                              value=rng.choice([rng.randint(0, 30), 2**47 + rng.randint(0, 9)])))
        roll = rng.random()
        if roll < 0.05:
            action = rng.choice(["ban", "strict", "throttle:2", "throttle:10"])
            calls.append(("put", (f"pgw:pen:{client}", f"{action}|enumeration:ip",
                                  now + rng.choice([0.0, 0.5, 30.0]), now)))
        elif roll < 0.07:
            calls.append(("pop", (f"pgw:pen:{client}",)))
        elif roll < 0.3:
            calls.append(("observe", (ops, now)))
        else:
            calls.append(("decide", (buckets, penalties, ops, now)))
        if rng.random() < 0.05:
            calls.append(("find", ("pgw:pen:", now)))
    return calls


def _replay(table: object, calls: list[tuple[str, tuple[object, ...]]]) -> list[object]:
    out: list[object] = []
    for name, args in calls:
        result = getattr(table, name)(*args)
        out.append(sorted(result) if name == "find" else result)
        out.append(len(table))  # type: ignore[arg-type]
    return out


@pytest.mark.parametrize("seed", range(40))
def test_the_same_answers_as_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    start = rng.choice([1_764_000_000.123457, MIDNIGHT - 30.0, 1000.0])
    calls = _calls(rng, 400, start)
    assert core is not None
    assert _replay(new_table(), calls) == _replay(Table(), calls)


def test_the_same_sweeps() -> None:
    """Enough new entries for two sweeps, some expired by then."""
    rng = random.Random(7)
    calls: list[tuple[str, tuple[object, ...]]] = []
    now = 5000.0
    for i in range(2 * SWEEP_EVERY + 10):
        now += rng.uniform(0, 0.01)
        calls.append(("decide", ([Bucket(f"pgw:rl:{{{i}}}:r", 100.0, 1)], [], [], now)))
        if i % 97 == 0:
            calls.append(("observe", ([Op("distinct", f"pgw:en:{{{i}}}", 1.0, ("a",))], now)))
    assert core is not None
    native, reference = new_table(), Table()
    assert _replay(native, calls) == _replay(reference, calls)
    assert len(native) < SWEEP_EVERY


def test_a_quota_resets_at_midnight_china_time() -> None:
    assert core is not None
    for table in (new_table(), Table()):
        b = Bucket("pgw:rl:{q}:daily", 1000.0, 1000, 2)
        verdicts = [table.decide([b], [], [], MIDNIGHT - 1.0 + i * 0.01) for i in range(3)]
        assert [v.allowed for v in verdicts] == [True, True, False]
        assert verdicts[2].quota_hit and verdicts[2].retry_after == pytest.approx(0.98)
        assert table.decide([b], [], [], MIDNIGHT + 0.001).allowed


def test_verdicts_are_the_named_tuple() -> None:
    """The core makes its verdicts in C (`pgw_subtuple`, limits.pxi):
    instances of store.Verdict with their fields, each holding its own
    reference to the type; the core takes no type it could not make so."""
    assert core is not None
    table = new_table()
    before = sys.getrefcount(Verdict)
    made = [table.decide([Bucket("pgw:rl:{a}:r", 1.0, 2)], ["pgw:pen:{a}"], [], 1000.0 + i)
            for i in range(1000)]
    assert sys.getrefcount(Verdict) == before + 1000
    assert all(type(v) is Verdict for v in made)
    assert made[0] == Verdict(True, 0.0, (1,), -1, "", 0.0, False, ())
    assert made[0].remaining == (1,) and made[0].allowed
    del made
    assert sys.getrefcount(Verdict) == before

    class Open(tuple):  # type: ignore[type-arg]  # an instance dict: not a named tuple's layout
        pass

    for wrong in (tuple, Open, list, "Verdict"):
        with pytest.raises(TypeError):
            core.LimitTable(wrong, GCRA_SLACK, DAY_OFFSET, SWEEP_EVERY)
        with pytest.raises(TypeError):
            core.RemoteDecisions(wrong, DAY_OFFSET)
