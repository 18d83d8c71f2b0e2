"""Seeded JSON bodies for the differential tests of the JSON hot path.

Keys come from where policies look (the shipped policies' field selectors,
the field-name hints, record keys of the encryption rules) and from noise;
values from the detection fuzzer, the value generators and JSON's other
types; structure from nested objects, lists of records, top-level scalars
and arrays; text from both escaped (ensure_ascii) and raw UTF-8 writers.
Broken bodies are valid ones cut short or with a byte changed.
"""

from __future__ import annotations

import json
import random
from typing import Any

from tests.native import fuzz

POLICY_KEYS = ("password", "pwd", "cvv", "cvv2", "pin", "otp", "smsCode", "idNo", "bankCard",
               "applicant", "applicationNo", "mobile", "name", "address", "email", "cardNo",
               "items", "data", "records", "borrower", "kyc", "contacts", "remark", "note",
               "companyPhone", "registerIp", "emergencyContact", "khxm", "jtzz", "tel",
               "idCard", "creditCode", "passport", "plate", "姓名", "身份证号", "手机号")
NOISE_KEYS = ("a", "b", "k1", "", "x y", "é", "13800138000", "张三", "id", "value", "list")


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth < 4 and roll < 0.22:
        return {_key(rng): _value(rng, depth + 1) for _ in range(rng.randrange(0, 6))}
    if depth < 4 and roll < 0.34:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    if roll < 0.75:
        return fuzz.text(rng)
    if roll < 0.82:
        return rng.choice((0, 7, -12, 13800138000, 11010519491231002, 6222021234567890128))
    if roll < 0.86:
        return rng.choice((1.5, -0.0, 1e5, 2.5e-3, 12345678901234567890123))
    if roll < 0.9:
        return rng.choice((True, False, None))
    return rng.choice(("", "13800138000", "11010519491231002X", "张三", "pgw1.x.y"))


def _key(rng: random.Random) -> str:
    return rng.choice(POLICY_KEYS) if rng.random() < 0.75 else rng.choice(NOISE_KEYS)


def record_list(rng: random.Random) -> dict[str, Any]:
    """A page of records sharing a shape, as list endpoints return them."""
    shape = [_key(rng) for _ in range(rng.randrange(2, 8))]
    items = [{k: _value(rng, 3) for k in shape} for _ in range(rng.randrange(1, 12))]
    return {"page": 1, "items": items, "applicationNo": rng.choice(("A1", "B2"))}


def body(rng: random.Random) -> bytes:
    """One JSON body, written the way a client or service might."""
    roll = rng.random()
    if roll < 0.5:
        value: Any = {_key(rng): _value(rng, 1) for _ in range(rng.randrange(1, 8))}
    elif roll < 0.7:
        value = record_list(rng)
    elif roll < 0.85:
        value = [_value(rng, 1) for _ in range(rng.randrange(0, 6))]
    else:
        value = _value(rng, 4)
    text = json.dumps(value, ensure_ascii=rng.random() < 0.25,
                      indent=rng.choice((None, None, 2)))
    return text.encode()


def broken(rng: random.Random) -> bytes:
    """A body the parsers must refuse or read alike: cut, changed or doubled."""
    data = bytearray(body(rng))
    roll = rng.random()
    if roll < 0.3 and data:
        return bytes(data[: rng.randrange(len(data))])
    if roll < 0.6 and data:
        data[rng.randrange(len(data))] = rng.choice(b'{}[],:"\\ \n0aN-\x00\xff\xe5')
        return bytes(data)
    if roll < 0.8:
        return b'{"a": 1, "a": 2}' if rng.random() < 0.5 else b'{"x": {"k": 1, "\\u006b": 2}}'
    return rng.choice((b"[NaN]", b'{"a": Infinity}', b"[-Infinity, 1]", b'"\\ud800"',
                       b'{"a": "\\udc00x"}', b"[1,]", b"01", b"\xef\xbb\xbf{}", b"  7  ",
                       b'"\\u00e9\\n\\t"', b"[" * 600 + b"]" * 600, b'{"a":"\x01"}'))
