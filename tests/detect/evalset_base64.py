"""Evaluation samples of whole field values in base64, and look-alikes that
are not personal data (tokens, keys, signatures, digests, binary)."""

from __future__ import annotations

import base64
import random
import uuid
from collections.abc import Callable

from tests.detect import values as v
from tests.detect.samples import Sample, build


def _b64(text: str, rng: random.Random) -> str:
    """Base64 as clients send it: standard or URL-safe, padded or not."""
    data = text.encode()
    encode = base64.urlsafe_b64encode if rng.random() < 0.5 else base64.b64encode
    out = encode(data).decode()
    return out.rstrip("=") if rng.random() < 0.3 else out


def base64_evasions(rng: random.Random, count: int) -> list[Sample]:
    """Whole field values in base64 (a client "protecting" a field, an
    attacker hiding one): identifiers, names and addresses under field names
    that say so or not, and remarks whose decoded text holds a number."""
    makers: list[tuple[str, Callable[[random.Random], str], tuple[str, ...]]] = [
        ("CN_MOBILE", v.mobile, ("mobile", "phoneB64", "mobileEnc", "tel_base64")),
        ("CN_RESIDENT_ID", v.resident_id, ("idNo", "idCardBase64", "certNoEnc", "sfzh")),
        ("CN_BANK_CARD", v.unionpay_card, ("bankCardNo", "cardNoB64", "acctNo")),
        ("PERSON_NAME", v.person_name, ("name", "realNameBase64", "custName", "xm")),
        ("EMAIL_ADDRESS", v.email, ("email", "mailB64", "contact_email")),
    ]
    notes = ("客户手机{}，已核实", "联系电话: {}", "身份证{}，待补充材料", "call back {} tomorrow")
    samples = []
    for i in range(count):
        if i % 6 == 5:
            entity, make = (("CN_MOBILE", v.mobile), ("CN_RESIDENT_ID", v.resident_id))[i % 2]
            text = rng.choice(notes).format(make(rng))
            samples.append(build([(entity, _b64(text, rng))],
                                 (rng.choice(("remark", "memo", "extInfo", "data")),),
                                 "evasion_hard"))
            continue
        entity, make, keys = makers[i % len(makers)]
        samples.append(build([(entity, _b64(make(rng), rng))], (rng.choice(keys),),
                             "evasion_hard"))
    return samples


def base64_negatives(rng: random.Random, count: int) -> list[Sample]:
    """Values that look like base64 and are not personal data: tokens, keys,
    JWT segments, digests, UUIDs, base64 of binary and of plain status text."""
    texts = ("订单已发货", "审核通过", "status=ok&count=12", '{"alg":"HS256","typ":"JWT"}',
             "loan approved, amount 20000.00", "批次号20261201 版本1.2.3")
    makers: list[tuple[tuple[str, ...], Callable[[], str]]] = [
        (("token", "accessToken", "sessionId"),
         lambda: base64.urlsafe_b64encode(rng.randbytes(rng.choice((16, 24, 32)))).decode()
         .rstrip("=")),
        (("apiKey", "appSecret", "nonce"), lambda: base64.b64encode(rng.randbytes(24)).decode()),
        (("sign", "signature"), lambda: base64.b64encode(rng.randbytes(32)).decode()),
        (("payload", "ext", "remark"), lambda: _b64(rng.choice(texts), rng)),
        (("md5", "digest"), lambda: f"{rng.getrandbits(128):032x}"),
        (("requestId", "traceId"), lambda: str(uuid.UUID(int=rng.getrandbits(128)))),
        (("avatar", "image"),
         lambda: base64.b64encode(b"\x89PNG\r\n\x1a\n" + rng.randbytes(40)).decode()),
        (("password", "code", "orderNo"),
         lambda: rng.choice(("Password1234", "Abcdefgh", "Qwerty12", "LN2026120100012345",
                             "ORDERabc12345678"))),
    ]
    samples = []
    for i in range(count):
        keys, make = makers[i % len(makers)]
        samples.append(build([make()], (rng.choice(keys),), "negative"))
    return samples


def base64_in_text(rng: random.Random, count: int) -> list[Sample]:
    """Base64 tokens inside longer text, as logs, remarks and query-like
    strings carry them: the token is the label (a finding covers it whole)."""
    makers: list[tuple[str, Callable[[random.Random], str]]] = [
        ("CN_MOBILE", v.mobile), ("CN_RESIDENT_ID", v.resident_id),
        ("CN_BANK_CARD", v.unionpay_card), ("EMAIL_ADDRESS", v.email),
    ]
    frames = (("备注：", "，请核实"), ("ext=", "&ts=1733040000"), ("客户资料 ", " 已上传"),
              ("payload: ", " (encoded)"), ("[", "]"), ("data:", ";"))
    samples = []
    for i in range(count):
        entity, make = makers[i % len(makers)]
        before, after = rng.choice(frames)
        token = _b64(make(rng), rng)
        if len(token.rstrip("=")) < 12:
            token = base64.b64encode(make(rng).encode()).decode()
        samples.append(build([before, (entity, token), after],
                             (rng.choice(("remark", "log", "extInfo", "msg")),), "evasion_hard"))
    return samples


def base64_text_negatives(rng: random.Random, count: int) -> list[Sample]:
    """Longer text holding tokens that are no personal data: access tokens,
    signatures, JWTs, digests, dashless UUIDs, base64 of status text."""
    texts = ("审核通过，放款成功", "loan approved, amount 20000.00", "订单已发货，单号待补")
    makers: list[Callable[[], str]] = [
        lambda: base64.urlsafe_b64encode(rng.randbytes(24)).decode().rstrip("="),
        lambda: base64.b64encode(rng.randbytes(32)).decode(),
        lambda: "eyJhbGciOiJIUzI1NiJ9." + base64.urlsafe_b64encode(
            b'{"sub":"u' + str(rng.randrange(10**6)).encode() + b'"}').decode().rstrip("=")
        + "." + base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip("="),
        lambda: f"{rng.getrandbits(128):032x}",
        lambda: uuid.UUID(int=rng.getrandbits(128)).hex,
        lambda: _b64(rng.choice(texts), rng),
    ]
    frames = ("Authorization: Bearer {} ok", "sign={}&v=2", "回调参数 {} 已校验", "trace {} done")
    return [build([rng.choice(frames).format(makers[i % len(makers)]())], ("log",), "negative")
            for i in range(count)]
