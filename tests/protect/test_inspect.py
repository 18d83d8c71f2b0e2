"""The inspection core: a child's answer survives the trip to the parent as
the same answer or the same exception (what `pipeline.inspect_body` fails
closed on)."""

from __future__ import annotations

import pickle
from collections import Counter

import pytest

from gateway.codecs.base import CodecError
from gateway.crypto.usage import KeyExhausted, KeyUsage
from gateway.detect import DetectionTimeout
from gateway.errors import FieldBlocked
from gateway.protect.engine import Outcome
from gateway.protect.inspect import FileRefused, Inspected, as_result, from_result, inspect_now
from tests.conftest import compiled, policy_text


def _round_trip(work: object) -> Inspected:
    result = as_result(work, lambda: {"enc-1": 2})  # type: ignore[arg-type]
    return from_result(pickle.loads(pickle.dumps(result)), None)


def test_an_answer_comes_back_whole() -> None:
    outcome = Outcome(Counter({("CN_MOBILE", "mask"): 3}), True, {"CN_MOBILE": {"x"}}, None)
    back = _round_trip(lambda: Inspected(b"{}", True, outcome))
    assert (back.body, back.decoded) == (b"{}", True)
    assert back.outcome is not None and back.outcome.counts == outcome.counts
    assert back.outcome.values == {"CN_MOBILE": {"x"}}


def test_key_uses_reach_the_parents_counter(tmp_path: object) -> None:
    usage = KeyUsage(None)
    result = as_result(lambda: Inspected(b"", False, None), lambda: {"enc-1": 2})
    from_result(result, usage)
    assert usage.total("enc-1") == 2


@pytest.mark.parametrize("error", [
    FieldBlocked(403, "cvv", "FIELD"), KeyExhausted("enc-1", "encrypt"), FileRefused(),
    CodecError("invalid_json", "the body is not valid JSON"), DetectionTimeout(),
])
def test_an_exception_comes_back_as_itself(error: Exception) -> None:
    def fail() -> Inspected:
        raise error

    with pytest.raises(type(error)) as raised:
        _round_trip(fail)
    assert vars(raised.value) == vars(error)


def test_an_unknown_result_is_an_error() -> None:
    with pytest.raises(ValueError, match="not an inspection result"):
        from_result(("unavailable",), None)


def test_inspect_now_masks_and_reencodes() -> None:
    policy = compiled(policy_text("http://127.0.0.1:9"))
    plan = policy.protection.plan("protected", "GET", "response", "anonymous")
    done = inspect_now(b'{"mobile": "13800138000"}', "application/json", None, 1 << 20, plan,
                       policy.detector, policy.protection.file_types)
    assert done.decoded and b"13800138000" not in done.body
