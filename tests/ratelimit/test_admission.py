"""A request decided in one call (gateway/ratelimit/admission.py): the native
core's LimitTable.admit against the reference, and the reference against the
stage's general path (ids found, ops made, `decide`)."""

from __future__ import annotations

import random
import uuid

import pytest

from gateway.crypto.digest import KeyedDigest
from gateway.native import STATUS, core
from gateway.ratelimit.admission import ClientLimits, admit, tightest
from gateway.ratelimit.ids import MEMBERS, path_ids, run_value
from gateway.ratelimit.memory import new_table
from gateway.ratelimit.store import Bucket, Op, Verdict
from gateway.ratelimit.table import Table

DIGEST = KeyedDigest(b"k" * 32)
IDS, RUNS = ("ids-checks",), ("run-checks",)  # stand-ins: admit hands back the one it used


def random_segment(rng: random.Random) -> str:
    """Path segments as lending APIs write them, ids and near misses."""
    n = rng.randint(0, 10**rng.randint(1, 12))
    u = uuid.UUID(int=rng.getrandbits(128))
    return rng.choice([
        "api", "v1", "v2", "loans", "borrowers", "repayments", "contacts", "", "me",
        str(n), str(n), f"{n:08d}", "0", "0000000000000000000000"[:rng.randint(1, 22)],
        str(rng.randint(10**9, 10**11)),            # either side of the run's limit
        "1" + "3" * rng.randint(9, 21),             # mobiles, IDs, too long
        str(u), str(u).upper(), str(u).replace("-", ""), str(u) + "0", str(u)[:-1] + "g",
        f"{n}abc", f"abc{n}", f"{n}.json", "%31%32", "借款", "１２３",
    ])


def random_path(rng: random.Random) -> str:
    path = "/" + "/".join(random_segment(rng) for _ in range(rng.randint(0, 6)))
    return path + "/" if rng.random() < 0.1 else path


def random_client(rng: random.Random, make: type[ClientLimits] | object) -> ClientLimits:
    dims = [f"{{{rng.getrandbits(32):08x}}}" for _ in range(rng.randint(0, 3))]
    buckets = tuple(Bucket(f"pgw:rl:{d}:r", rng.choice([1.0, 20.0, 1000.0]),
                           rng.randint(1, 30), rng.choice([0, 0, 40])) for d in dims)
    made: ClientLimits = make(  # type: ignore[operator]
        buckets, tuple(f"pgw:pen:{d}" for d in dims),
        tuple((f"pgw:en:{d}:loans", f"pgw:sr:{d}:loans") for d in dims), DIGEST,
        rng.random() < 0.9, rng.choice([1.0, 60.0, 600.0]), rng.randint(1, 12),
        rng.randint(2, 6), rng.getrandbits(47), IDS, RUNS)
    return made


def _scenario(seed: int, native: bool) -> list[object]:
    """Random clients' requests (and penalties) through admit; every answer
    and the table's size after each."""
    rng = random.Random(seed)
    make = core.ClientLimits if native and core is not None else ClientLimits
    clients = [random_client(rng, make) for _ in range(rng.randint(1, 4))]
    table = new_table() if native else Table()
    now, out = 1_764_000_000.5, []
    for _ in range(300):
        now += rng.choice([0.0, 1e-6, rng.uniform(0, 0.5), rng.uniform(0, 700)])
        c = clients[rng.randrange(len(clients))]
        if rng.random() < 0.04 and c.penalty_keys:
            action = rng.choice(["ban", "strict", "throttle:3"])
            table.put(c.penalty_keys[0], f"{action}|enumeration:ip", now + 30.0, now)
        path = random_path(rng)
        path = path.encode("ascii", "ignore").decode()  # the core hands others back
        out.append(table.admit(c, path, now))
        out.append(len(table))
    return out


@pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")
@pytest.mark.parametrize("seed", range(40))
def test_the_core_answers_as_the_reference(seed: int) -> None:
    assert _scenario(seed, native=True) == _scenario(seed, native=False)


@pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")
def test_the_core_hands_a_path_that_is_not_ascii_back() -> None:
    assert core is not None
    c = core.ClientLimits((), (), (("pgw:en:{a}:r", "pgw:sr:{a}:r"),), DIGEST, True, 60.0,
                          5, 3, 0, IDS, RUNS)
    assert new_table().admit(c, "/借款/1", 1.0) is None
    assert new_table().admit(c, "/loans/1", 1.0) is not None


def _general(table: Table, c: ClientLimits, path: str, now: float) -> object:
    """What ratelimit_stage does without admit: ids, ops, one decide."""
    ids = path_ids(path) if c.path_ids and c.enumeration else []
    if not ids:
        return table.decide(c.buckets, c.penalty_keys, (), now)
    members = tuple(DIGEST.of("id", i) for i in ids[:MEMBERS])
    last = run_value(ids)
    ops = []
    for ids_key, run_key in c.enumeration:
        ops.append(Op("distinct", ids_key, c.window, members))
        if last is not None:
            ops.append(Op("run", run_key, c.window, (), last + c.run_offset))
    return table.decide(c.buckets, c.penalty_keys, ops, now)


@pytest.mark.parametrize("seed", range(10))
def test_the_reference_decides_as_the_general_path(seed: int) -> None:
    rng = random.Random(seed)
    clients = [random_client(rng, ClientLimits) for _ in range(3)]
    one, general = Table(), Table()
    now = 5000.0
    for _ in range(300):
        now += rng.uniform(0, 2)
        c, path = rng.choice(clients), random_path(rng)
        verdict, checks, fired, tightest = admit(one, c, path, now)
        left = verdict.remaining
        assert tightest == (left.index(min(left)) if verdict.allowed and left else -1)
        assert verdict == _general(general, c, path, now)
        thresholds = [(k % 2 and checks is RUNS, seen) for k, seen in enumerate(verdict.observed)]
        assert fired == next((k for k, (run, seen) in enumerate(thresholds)
                              if (seen >= c.run_at if run else seen > c.max_ids)), -1)
        assert checks == (() if not verdict.observed else RUNS if len(verdict.observed)
                          == 2 * len(c.enumeration) else IDS)


def test_ids_past_the_cap_are_not_counted() -> None:
    args = ((), (), (("pgw:en:{a}:r", "pgw:sr:{a}:r"),), DIGEST, True, 60.0, 10**6, 10**6, 0,
            IDS, RUNS)
    path = "/" + "/".join(str(i) for i in range(MEMBERS + 50))
    tables: list[tuple[object, ClientLimits]] = [(Table(), ClientLimits(*args))]
    if core is not None:
        tables.append((new_table(), core.ClientLimits(*args)))
    for table, c in tables:
        verdict, _, _, _ = table.admit(c, path, 1.0)  # type: ignore[attr-defined]
        assert verdict.observed == (MEMBERS, 1)  # the run: the last id, MEMBERS + 49


@pytest.mark.parametrize(("allowed", "remaining", "expected"), [
    (True, (5, 2, 2), 1),  # the first of the fewest
    (True, (0,), 0),
    (True, (), -1),  # no bucket applies
    (False, (5, 2), -1),  # refused: no admitted bucket
])
def test_tightest_bucket(allowed: bool, remaining: tuple[int, ...], expected: int) -> None:
    verdict = Verdict(allowed, 0.0, remaining, -1, "", 0.0, False, ())
    assert tightest(verdict) == expected
