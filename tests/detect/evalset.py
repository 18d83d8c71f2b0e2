"""A seeded, labeled evaluation set for the detector, and its metrics.

Samples look like lending traffic: JSON and form fields (a value and its field
name), free text (collection notes, KYC remarks, customer-service logs),
evasions of the same values (full-width digits, spaces, dashes, zero-width
characters, +86, Chinese numerals, a lower-case x) and hard negatives (order
and loan numbers that fail the ID check, timestamps, dates, amounts, UUIDs,
trace ids, 11-digit numbers outside mobile segments, card-like numbers that
fail Luhn). `python -m tests.detect.evalset` prints the metrics table.
"""

from __future__ import annotations

import random
import string
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from stdnum import luhn

from gateway.detect import Detector, Finding
from gateway.detect.recognizers.resident_id import valid_resident_id
from tests.detect import evalset_prose as prose
from tests.detect import keynames as k
from tests.detect import values as v
from tests.detect.evalset_base64 import (
    base64_evasions,
    base64_in_text,
    base64_negatives,
    base64_text_negatives,
)
from tests.detect.evalset_notes import (
    contact_notes,
    cueless_notes,
    place_negatives,
    prose_negatives,
    town_addresses,
)
from tests.detect.samples import Part, Sample, build

CHECKSUM_TYPES = ("CN_RESIDENT_ID", "CN_MOBILE", "CN_BANK_CARD", "CREDIT_CARD", "CN_USCC")


FIELDS: dict[str, tuple[Callable[[random.Random], str], tuple[str, ...]]] = {
    "CN_RESIDENT_ID": (v.resident_id, ("idNo", "idCard", "certNo", "id_card_no", "身份证号")),
    "CN_MOBILE": (v.mobile, ("mobile", "phone", "contactPhone", "mobileNo", "手机号")),
    "CN_LANDLINE": (v.landline, ("companyPhone", "tel", "homeTel", "单位电话")),
    "CN_BANK_CARD": (v.unionpay_card, ("bankCard", "cardNo", "bank_card_no", "银行卡号")),
    "CREDIT_CARD": (v.visa_card, ("creditCard", "cardNo", "ccNumber")),
    "CN_USCC": (v.uscc_code, ("uscc", "creditCode", "统一社会信用代码")),
    "CN_PASSPORT": (v.passport, ("passportNo", "passport", "护照号")),
    "CN_HK_MACAU_PERMIT": (v.hk_macau_permit, ("hkMacauPermit", "港澳通行证")),
    "CN_HOME_RETURN_PERMIT": (v.home_return_permit, ("homeReturnPermit", "回乡证")),
    "CN_LICENSE_PLATE": (v.plate, ("plateNo", "carPlate", "车牌号")),
    "EMAIL_ADDRESS": (v.email, ("email", "mail", "邮箱")),
    "IP_ADDRESS": (v.ipv4, ("registerIp", "clientIp", "loginIp")),
    "PERSON_NAME": (v.person_name,
                    ("name", "realName", "custName", "姓名", "联系人", "cardholder")),
    "ADDRESS": (v.address, ("address", "homeAddr", "companyAddress", "住址", "单位地址")),
}


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _grouped(text: str, sep: str, sizes: Sequence[int]) -> str:
    out, i = [], 0
    for size in sizes:
        out.append(text[i:i + size])
        i += size
    if i < len(text):
        out.append(text[i:])
    return sep.join(p for p in out if p)


def _cn_numerals(text: str) -> str:
    return "".join("零一二三四五六七八九"[int(c)] for c in text)


def evasions(rng: random.Random) -> list[Sample]:
    samples = []
    for _ in range(60):
        mob = v.mobile(rng)
        for variant in (_fullwidth(mob), _grouped(mob, " ", (3, 4, 4)),
                        _grouped(mob, "-", (3, 4, 4)), "\u200b".join(_grouped(mob, "", (3, 4, 4))),
                        "+86 " + mob, "+86-" + mob, "0086" + mob, "86" + mob,
                        _cn_numerals(mob), mob[:3] + "\u200c" + mob[3:]):
            samples.append(build([("CN_MOBILE", variant)], ("mobile",), "evasion"))
            samples.append(
                build(["联系电话：", ("CN_MOBILE", variant), "，请尽快回电"], (), "evasion"))
        rid = v.resident_id(rng)
        for variant in (_fullwidth(rid), _grouped(rid, " ", (6, 8, 4)),
                        _grouped(rid, " ", (4, 4, 4, 4)), _grouped(rid, "-", (6, 8, 4)),
                        "\u200b".join(rid[i:i + 6] for i in range(0, 18, 6)),
                        rid[:-1] + rid[-1].lower()):
            samples.append(build([("CN_RESIDENT_ID", variant)], ("idNo",), "evasion"))
            samples.append(build(["身份证号码 ", ("CN_RESIDENT_ID", variant)], (), "evasion"))
        samples.append(build(["\ufeff", ("CN_RESIDENT_ID", rid), "\u200b"], ("idNo",), "evasion"))
        card = v.unionpay_card(rng)
        for variant in (_fullwidth(card), _grouped(card, " ", (4, 4, 4, 4)),
                        _grouped(card, "-", (4, 4, 4, 4)),
                        "\u200b".join(_grouped(card, "", (6, 6)))):
            samples.append(build([("CN_BANK_CARD", variant)], ("bankCardNo",), "evasion"))
            samples.append(build(["还款卡号：", ("CN_BANK_CARD", variant), "。"], (), "evasion"))
    return samples


ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
DEVANAGARI = "०१२३४५६७८९"
FINANCIAL = "零壹贰叁肆伍陆柒捌玖"


def _entities(text: str, rng: random.Random) -> str:
    """HTML character references, decimal or hex, as a template engine or an
    attacker writes them."""
    return "".join(f"&#{ord(c)};" if rng.random() < 0.5 else f"&#x{ord(c):x};" for c in text)


def _percent(text: str, times: int) -> str:
    out = "".join(f"%{b:02X}" for b in text.encode())
    for _ in range(times - 1):
        out = out.replace("%", "%25")
    return out


def _digits_in(text: str, table: str) -> str:
    return "".join(table[int(c)] if c.isdigit() else c for c in text)


def hard_evasions(rng: random.Random, count: int) -> list[Sample]:
    """Encodings sloppy clients and attackers use: HTML references, percent
    encoding once or twice, other scripts' digits, financial numerals, digits
    grouped with dots; in fields and in text."""
    forms: list[Callable[[str], str]] = [
        lambda t: _entities(t, rng), lambda t: _percent(t, 1), lambda t: _percent(t, 2),
        lambda t: _digits_in(t, ARABIC_INDIC), lambda t: _digits_in(t, DEVANAGARI),
        lambda t: _digits_in(t, FINANCIAL),
        lambda t: ".".join(_grouped(t, "|", (3, 4, 4) if len(t) == 11 else (6, 8, 4)).split("|")),
    ]
    makers = [("CN_MOBILE", v.mobile, ("mobile",), "联系电话："),
              ("CN_RESIDENT_ID", v.resident_id, ("idNo",), "身份证号码 ")]
    samples = []
    for i in range(count):
        entity, make, hints, cue = makers[i % 2]
        value = forms[(i // 2) % len(forms)](make(rng))
        if i % 4 < 2:
            samples.append(build([(entity, value)], hints, "evasion_hard"))
        else:
            samples.append(build([cue, (entity, value), "，请核实"], (), "evasion_hard"))
    return samples


def fields(rng: random.Random, per_type: int) -> list[Sample]:
    samples = []
    for entity, (make, keys) in FIELDS.items():
        for _ in range(per_type):
            key = rng.choice(keys)
            hints = (rng.choice(("applicant", "borrower", "data", "contact")), key) \
                if rng.random() < 0.5 else (key,)
            samples.append(build([(entity, make(rng))], hints, "field"))
    return samples


def free_text(rng: random.Random, count: int) -> list[Sample]:
    templates: list[Callable[[], list[Part]]] = [
        lambda: ["借款人", ("PERSON_NAME", v.person_name(rng)), "已逾期", str(rng.randrange(1, 90)),
                 "天，联系电话", ("CN_MOBILE", v.mobile(rng)), "，紧急联系人",
                 ("PERSON_NAME", v.person_name(rng)), "（", ("CN_MOBILE", v.mobile(rng)), "）。"],
        lambda: ["客户", ("PERSON_NAME", v.person_name(rng)), "身份证号", ("CN_RESIDENT_ID",
                 v.resident_id(rng)), "，银行卡号", ("CN_BANK_CARD", v.unionpay_card(rng)),
                 "，开户行中国工商银行。"],
        lambda: ["请将款项转入卡号：", ("CN_BANK_CARD", v.unionpay_card(rng)), "，户名：",
                 ("PERSON_NAME", v.person_name(rng)), "。"],
        lambda: ["本人", ("PERSON_NAME", v.person_name(rng)), "，手机 ",
                 ("CN_MOBILE", v.mobile(rng)), "，现住址：", ("ADDRESS", v.address(rng)), "。"],
        lambda: ["家住", ("ADDRESS", v.address(rng)), "，单位电话",
                 ("CN_LANDLINE", v.landline(rng)), "，邮箱 ",
                 ("EMAIL_ADDRESS", v.email(rng)), " 。"],
        lambda: ["车牌号", ("CN_LICENSE_PLATE", v.plate(rng)), "，护照号码",
                 ("CN_PASSPORT", v.passport(rng)), "，港澳通行证",
                 ("CN_HK_MACAU_PERMIT", v.hk_macau_permit(rng)), "。"],
        lambda: ["登录IP ", ("IP_ADDRESS", v.ipv4(rng)), "，IPv6 ", ("IP_ADDRESS", v.ipv6(rng)),
                 "，设备异常，已冻结。"],
        lambda: ["企业统一社会信用代码：", ("CN_USCC", v.uscc_code(rng)), "，法定代表人",
                 ("PERSON_NAME", v.person_name(rng)), "先生。"],
        lambda: ["Customer phone: ", ("CN_MOBILE", v.mobile(rng)), ", card ",
                 ("CREDIT_CARD", v.mastercard(rng)), ", email ", ("EMAIL_ADDRESS", v.email(rng))],
        lambda: ["催收记录：", ("PERSON_NAME", v.person_name(rng)), "女士表示下周还款，地址",
                 ("ADDRESS", v.address(rng)), "，回乡证", ("CN_HOME_RETURN_PERMIT",
                                                         v.home_return_permit(rng)), "。"],
        lambda: ["今天", ("PERSON_NAME", v.person_name(rng)), "来电说下周还款，配偶电话",
                 ("CN_MOBILE", v.mobile(rng)), "。"],
    ]
    return [build(rng.choice(templates)(), (), "free_text") for _ in range(count)]


def formats(rng: random.Random, count: int) -> list[Sample]:
    """Formats other projects' suites use and ours missed: HK/Macau/Taiwan
    residence permits, internationalized e-mail, IPv6 with `::` at an end,
    dialled mobiles, spaced USCC, Mastercard 2-series; in fields and in text."""
    makers: list[tuple[str, Callable[[random.Random], str], tuple[str, ...], str]] = [
        ("CN_RESIDENT_ID", v.residence_permit, ("idNo", "permitNo", "居住证号", "certNo"),
         "港澳台居民居住证号码"),
        ("EMAIL_ADDRESS", v.idn_email, ("email", "邮箱", "mail"), "联系邮箱："),
        ("IP_ADDRESS", v.ipv6_edge, ("ip", "clientIp", "loginIp"), "登录IP "),
        ("CN_MOBILE", v.dialled_mobile, ("mobile", "phone", "手机号"), "来电号码"),
        ("CN_USCC", v.spaced_uscc, ("uscc", "统一社会信用代码", "creditCode"),
         "统一社会信用代码 "),
        ("CREDIT_CARD", v.mastercard_2series, ("cardNo", "creditCard"), "Mastercard "),
        ("CN_LANDLINE", v.intl_landline, ("companyTel", "tel", "单位电话"), "单位电话 "),
    ]
    samples = []
    for i in range(count):
        entity, make, keys, cue = makers[i % len(makers)]
        if i % 2:
            samples.append(build([(entity, make(rng))], (rng.choice(keys),), "format"))
        else:
            samples.append(build([cue, (entity, make(rng)), "，请核实。"], (), "format"))
    return samples


def field_vocab(rng: random.Random, count: int) -> list[Sample]:
    """Names and addresses under field names as lending systems write them
    (`keynames.py`), and name-like values under fields that hold no person."""
    samples = []
    for i in range(count):
        if i % 3 == 0:
            samples.append(build([("ADDRESS", v.address(rng))], k.address_key(rng), "vocab"))
        else:
            samples.append(build([("PERSON_NAME", v.person_name(rng))], k.person_key(rng),
                                 "vocab"))
    for _ in range(count // 2):
        key, values = rng.choice(k.NOT_PEOPLE)
        samples.append(build([rng.choice(values)], (k.style([key], rng),), "vocab_negative"))
    return samples


def _failing_id(rng: random.Random) -> str:
    while True:
        number = "".join(rng.choice(string.digits) for _ in range(18))
        if number[0] != "0" and not valid_resident_id(number):
            return number


def _failing_luhn(rng: random.Random) -> str:
    while True:
        number = "62" + "".join(rng.choice(string.digits) for _ in range(rng.choice((14, 17))))
        if not luhn.is_valid(number):
            return number


def _date(rng: random.Random, sep: str) -> str:
    year, month, day = rng.randrange(1950, 2030), rng.randrange(1, 13), rng.randrange(1, 29)
    return f"{year}{sep}{month:02d}{sep}{day:02d}"


def _amount(rng: random.Random) -> str:
    return f"{rng.randrange(100, 10**7)}.{rng.randrange(100):02d}"


def negatives(rng: random.Random, count: int) -> list[Sample]:
    makers: list[tuple[tuple[str, ...], Callable[[], str]]] = [
        (("loanNo", "orderNo", "contractNo", "bizNo"), lambda: _failing_id(rng)),
        (("createdAt", "timestamp", "ts"), lambda: str(rng.randrange(1_600_000_000_000,
                                                                     1_800_000_000_000))),
        (("updatedAt", "epoch"), lambda: str(rng.randrange(1_600_000_000, 1_800_000_000))),
        (("date", "dueDate", "birthDate"), lambda: _date(rng, "-")),
        (("time", "createTime"), lambda: _date(rng, "") + f"{rng.randrange(240000):06d}"),
        (("amount", "principal", "balance"), lambda: _amount(rng)),
        (("requestId", "uuid"), lambda: str(uuid.UUID(int=rng.getrandbits(128)))),
        (("traceId", "spanId"), lambda: f"{rng.getrandbits(128):032x}"),
        (("serialNo", "refNo"), lambda: rng.choice(v.UNALLOCATED) + f"{rng.randrange(10**8):08d}"),
        (("refNo", "voucherNo"), lambda: _failing_luhn(rng)),
        (("memberNo", "fuelCardNo", "serialNo"), lambda: v.non_card_luhn(rng)),
        (("loanNo", "bizNo"), lambda: v.region_0000_id(rng)),
        (("status", "remark"), lambda: rng.choice(("还款中", "已结清", "逾期", "审核通过"))),
        (("bankName",), lambda: rng.choice(("中国工商银行", "招商银行", "中国建设银行"))),
        (("employer", "companyName"),
         lambda: rng.choice(("深圳市腾飞科技有限公司", "杭州云帆信息技术有限公司"))),
        (("productName", "channel"), lambda: rng.choice(("借呗", "随借随还", "Cash Loan", "app"))),
        (("version", "appVersion"), lambda: f"{rng.randrange(1, 20)}.{rng.randrange(30)}."
                                            f"{rng.randrange(300)}.{rng.randrange(10**5)}"),
        (("sectionNo", "clause"), lambda: f"{rng.randrange(1, 20)}.{rng.randrange(1, 30)}."
                                          f"{rng.randrange(1, 30)}"),
        (("rate", "discount"), lambda: f"{rng.randrange(1, 36)}%，优惠{rng.randrange(100)}%"),
        (("html", "content"), lambda: f"&lt;b&gt;订单{rng.randrange(10**6)}&lt;/b&gt;&nbsp;"
                                      f"&#169; 2026"),
        (("url", "redirect"), lambda: f"/loan?id={rng.randrange(10**8)}&name=%E5%80%9F%E6%AC%BE"),
    ]
    samples = []
    for i in range(count):
        keys, make = makers[i % len(makers)]
        samples.append(build([make()], (rng.choice(keys),), "negative"))
    texts = [
        lambda: f"订单号{_failing_id(rng)}已支付，金额{_amount(rng)}元，"
                f"时间{_date(rng, '-')} 10:00:00",
        lambda: f"trace {uuid.UUID(int=rng.getrandbits(128))} took {rng.randrange(1, 900)}ms at "
                f"{rng.randrange(1_600_000_000_000, 1_800_000_000_000)}",
        lambda: f"流水号{_failing_luhn(rng)}，批次{rng.randrange(10**6, 10**7)}，版本1.2.3",
    ]
    samples += [build([rng.choice(texts)()], (), "negative") for _ in range(count // 4)]
    return samples


def generate(seed: int = 20261128, per_type: int = 300) -> list[Sample]:
    rng = random.Random(seed)
    return (fields(rng, per_type) + evasions(rng) + free_text(rng, per_type * 2)
            + negatives(rng, per_type * 6) + formats(rng, per_type * 2)
            + field_vocab(rng, per_type * 4) + hard_evasions(rng, per_type * 2)
            + base64_evasions(rng, per_type) + base64_negatives(rng, per_type)
            + contact_notes(rng, per_type) + prose_negatives(rng, per_type)
            + town_addresses(rng, per_type) + place_negatives(rng, per_type)
            + cueless_notes(rng, per_type) + prose.prose_names(rng, per_type * 2)
            + prose.prose_negatives(rng, per_type * 2) + prose.holdout_names(rng, per_type)
            + prose.holdout_negatives(rng, per_type) + prose.title_negatives(rng, per_type)
            + base64_in_text(rng, per_type) + base64_text_negatives(rng, per_type)
            + prose.pinyin_notes(rng, per_type) + prose.pinyin_negatives(rng, per_type))


@dataclass
class Metrics:
    expected: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    false_positives: Counter[str] = field(default_factory=Counter)
    samples: int = 0

    def recall(self, entity: str) -> float:
        return self.found[entity] / self.expected[entity] if self.expected[entity] else 1.0

    def fp_rate(self, entity: str) -> float:
        return self.false_positives[entity] / self.samples if self.samples else 0.0


def evaluate(samples: Sequence[Sample], findings: Sequence[Sequence[Finding]],
             kinds: Sequence[str] | None = None) -> Metrics:
    """Recall: labels found with the exact entity type and span. False
    positives: findings that overlap no label at all, per sample."""
    metrics = Metrics()
    for sample, found in zip(samples, findings, strict=True):
        if kinds is not None and sample.kind not in kinds:
            continue
        metrics.samples += 1
        spans = {(f.entity_type, f.start, f.end) for f in found}
        for label in sample.labels:
            metrics.expected[label[0]] += 1
            metrics.found[label[0]] += label in spans
        for f in found:
            if not any(f.start < end and start < f.end for _, start, end in sample.labels):
                metrics.false_positives[f.entity_type] += 1
    return metrics


def report(detector: Detector | None = None) -> str:
    detector = detector or Detector()
    samples = generate()
    findings = detector.detect_many([(s.text, s.hints) for s in samples])
    rows = ["| entity | where | labels | recall | false positives per sample |",
            "|---|---|---:|---:|---:|"]
    for kinds, where in ((("field",), "hinted fields"), (("evasion",), "evasions"),
                         (("free_text",), "free text"), (("format",), "formats"),
                         (("vocab",), "field names as written"),
                         (("evasion_hard",), "hard evasions"),
                         (("contact_note",), "display names in notes"),
                         (("town_address",), "addresses from a city or county"),
                         (("cueless",), "names without a cue in notes"),
                         (("vocab_negative",), "name-like values, no person"),
                         (None, "all")):
        metrics = evaluate(samples, findings, kinds)
        for entity in sorted(set(metrics.expected) | set(metrics.false_positives)):
            rows.append(f"| {entity} | {where} | {metrics.expected[entity]} | "
                        f"{metrics.recall(entity):.2%} | {metrics.fp_rate(entity):.3%} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(report())
