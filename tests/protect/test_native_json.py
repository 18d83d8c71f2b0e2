"""The JSON hot path gives the Python path's answers (the differential test):
the same bytes out, the same counts, values, reveals and refusals, over the
shipped policies, a policy that uses every operator, and seeded bodies."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from gateway.codecs.json_codec import MAX_DEPTH
from gateway.detect.prose_names import qualifies
from gateway.native import STATUS, core
from gateway.operators.generalize import Generalize
from gateway.policy.compiled import CompiledPolicy
from gateway.protect.native_json import NativeJson, inspect_json, native_json
from tests.conftest import compiled
from tests.native import bodies
from tests.native.twins import DECLINED, bundled_policies, differences, native_path, python_path

pytestmark = pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")

EVERY_OPERATOR = """
version: 1
server: {listen: "127.0.0.1:0", admin: "127.0.0.1:0"}
upstreams: {default: {url: "http://127.0.0.1:9"}}
routes: [{name: api}]
detection:
  thresholds: {CN_MOBILE: 0.5}
  hints: {person_name: [contacts], address: [loc]}
  recognizers:
    - {entity: EMPLOYEE_NO, patterns: [{name: emp, regex: "EMP-?[0-9]{6}", score: 0.6}],
       context: [工号]}
    - {entity: CN_MOBILE, patterns: [{name: short mobile, regex: "1[3-9][0-9]{9}", score: 0.3}],
       context: [phone]}
actions:
  defaults: {request: mask, response: mask}
  hash_key_file: hash.key
  rules:
    - {name: first-item, fields: ["items[0].mobile"], operator: replace, params: {with: "<first>"}}
    - {name: c3, fields: ["**.cvv", "**.pin"], direction: request, operator: block,
       params: {status: 422}}
    - {name: otp, fields: ["**.otp"], operator: redact}
    - {name: whole-mask, fields: ["**.note"], operator: mask, params: {keep_first: 2, keep_last: 1}}
    - {name: quasi, classes: [birth_date, income, id_issuer, C2.device], direction: response,
       operator: generalize}
    - {name: places, entities: [ADDRESS], direction: response, operator: generalize,
       params: {level: province}}
    - {name: ids-hashed, entities: [CN_RESIDENT_ID], operator: hash, params: {length: 12}}
    - {name: cards-blocked, entities: [CN_BANK_CARD], direction: response, operator: block}
    - {name: mail-shown, entities: [EMAIL_ADDRESS], operator: keep}
    - {name: tags, entities: [IP_ADDRESS, CN_LICENSE_PLATE], operator: replace,
       params: {with: "[{entity}]"}}
    - {name: mobiles, entities: [CN_MOBILE], operator: mask, params: {char: "#", keep_last: 2}}
"""


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CompiledPolicy]:
    folder = tmp_path_factory.mktemp("native-plan")
    found = bundled_policies(folder)
    (folder / "hash.key").write_text("k" * 64)
    found["every-operator"] = compiled(EVERY_OPERATOR, str(folder / "every.yaml"))
    return found


def _seeded(seed: int, count: int, broken: int = 0) -> list[bytes]:
    rng = random.Random(seed)
    return ([bodies.body(rng) for _ in range(count)]
            + [bodies.broken(rng) for _ in range(broken)])


@pytest.mark.parametrize("name", ["default.yaml", "partner-api.yaml", "collections-console.yaml",
                                  "risk-engine.yaml", "passthrough.yaml", "every-operator"])
def test_same_answers_as_the_python_path(policies: dict[str, CompiledPolicy], name: str) -> None:
    policy = policies[name]
    found = differences(_seeded(hash(name) % 1000, 60, 15), "application/json", policy)
    assert found == []


def test_the_comparison_is_not_vacuous(policies: dict[str, CompiledPolicy]) -> None:
    """The seeded bodies reach every kind of outcome on both paths."""
    policy = policies["every-operator"]
    plan = policy.protection.plan("api", "POST", "request", "anonymous")
    kinds = set()
    for body in _seeded(11, 150, 40):
        seen = native_path(body, "application/json", plan, policy, True)
        kinds.add(seen[0] if seen[0] != "ok" else ("changed" if seen[1] else "unchanged"))
        if seen[0] == "ok":
            kinds.update(op for _, op in seen[2])
    assert {"changed", "unchanged", "blocked", "codec", "mask", "hash", "redact", "replace",
            "keep"} <= kinds


def test_demo_pages_and_encryption(policies: dict[str, CompiledPolicy]) -> None:
    from gateway.demo.app import _borrower_page, _loan
    application = json.dumps({
        "applicationNo": "A20261201001",
        "applicant": {"name": "张三", "idNo": "11010519491231002X",
                      "bankCard": "6222021234567890128", "mobile": "13800138000"},
        "contacts": [{"name": "李四", "mobile": "+86 139 1234 5678"}]},
        ensure_ascii=False).encode()
    samples = [_borrower_page(20261128, 1, 100), _loan(20261128, 7), application]
    assert differences(samples, "application/json", policies["default.yaml"]) == []


def test_ndjson(policies: dict[str, CompiledPolicy]) -> None:
    rng = random.Random(5)
    lines = [b"\n".join(bodies.body(rng).replace(b"\n", b" ") for _ in range(rng.randrange(1, 6)))
             + rng.choice((b"", b"\n", b"\n\n  \n")) for _ in range(40)]
    lines += [b'{"a": 1}\n{"b": 2, "b": 3}', b'{"m": "13800138000"}\r\n\x1e{"n": 1}',
              b"\n".join(json.dumps({"idNo": "11010519491231002X", "i": i}).encode()
                         for i in range(50))]
    for name in ("default.yaml", "every-operator"):
        assert differences(lines, "application/x-ndjson", policies[name]) == []


def test_untaken_bodies_go_to_the_python_path(policies: dict[str, CompiledPolicy]) -> None:
    policy = policies["default.yaml"]
    plan = policy.protection.plan("lending-api", "GET", "response", "anonymous")
    for content_type in ("application/json; charset=gbk", "text/plain", "application/x-www-form-"
                         "urlencoded", None, "application/json; charset=koi8-r"):
        assert inspect_json(b'{"m": "13800138000"}', content_type, plan, policy.detector,
                            False) is None


def test_paths_are_decided_once_per_plan(policies: dict[str, CompiledPolicy]) -> None:
    policy = policies["default.yaml"]
    plan = policy.protection.plan("lending-api", "GET", "response", "a-role-no-test-used")
    native = native_json(plan, policy.detector)
    assert native is not None
    page = json.dumps({"items": [{"name": "张三", "mobile": "13800138000"}] * 50},
                      ensure_ascii=False).encode()
    calls = []
    decide = native.decide
    native.decide = lambda path: calls.append(path) or decide(path)  # type: ignore[method-assign]
    try:
        for _ in range(3):
            inspect_json(page, "application/json", plan, policy.detector, False)
    finally:
        del native.decide
    assert sorted(calls) == [("items", 0, "mobile"), ("items", 0, "name")]


def test_python_path_error_on_unencodable_replacement(policies: dict[str, CompiledPolicy]) -> None:
    """A lone surrogate in a body that changes cannot be written as UTF-8:
    both paths refuse it alike."""
    policy = policies["default.yaml"]
    plan = policy.protection.plan("lending-api", "GET", "response", "anonymous")
    body = b'{"m": "13800138000", "x": "\\ud800"}'
    assert python_path(body, "application/json", plan, policy, False) == ("codec", "invalid_json")
    assert native_path(body, "application/json", plan, policy, False) == ("codec", "invalid_json")


def test_deep_nesting_is_refused_alike(policies: dict[str, CompiledPolicy]) -> None:
    policy = policies["default.yaml"]
    plan = policy.protection.plan("lending-api", "GET", "response", "anonymous")
    for depth, expected in ((MAX_DEPTH, "ok"), (MAX_DEPTH + 1, "codec")):
        body = b"[" * depth + b'"13800138000"' + b"]" * depth
        assert python_path(body, "application/json", plan, policy, False)[0] == expected
        assert native_path(body, "application/json", plan, policy, False)[0] == expected


def test_large_randomized_run(policies: dict[str, CompiledPolicy], tmp_path: Path) -> None:
    """More seeds on the policy with every operator (bounded in time)."""
    policy = policies["every-operator"]
    assert differences(_seeded(99, 250, 60), "application/json", policy) == []


def test_the_core_keeps_most_bodies_and_hands_over_those_with_data_keys(
        policies: dict[str, CompiledPolicy]) -> None:
    """Seeded bodies whose keys are personal data go to the Python path (and
    only those: twins.native_path checks each); the rest stay on the core, so
    the comparison above is not a comparison of the Python path with itself."""
    policy = policies["default.yaml"]
    bodies = _seeded(5, 200, 0)
    DECLINED.clear()
    assert differences(bodies, "application/json", policy) == []
    declined = len(set(DECLINED))
    assert declined < len(bodies) // 4
    keyed = b'{"results": {"13912345678": {"name": "x"}}, "n": 1}'
    plan = policy.protection.plan("lending-api", "GET", "response", "anonymous")
    assert inspect_json(keyed, "application/json", plan, policy.detector, False) is None
    assert native_path(keyed, "application/json", plan, policy, False)[1] == (
        b'{"results":{"139********":{"name":"x"}},"n":1}')


GENERALIZED = """
version: 1
upstreams: {default: {url: "http://127.0.0.1:9"}}
routes: [{name: api}]
actions:
  defaults: {request: keep, response: keep}
  rules:
    - {name: quasi, direction: response, classes: [birth_date, income, id_issuer, id_validity],
       operator: generalize}
    - {name: places, direction: response, entities: [ADDRESS], operator: generalize}
    - {name: provinces, direction: request, classes: [id_issuer], operator: generalize,
       params: {level: province}}
    - {name: by-band, direction: request, classes: [income], operator: generalize,
       params: {bands: [0, 5000, 20000]}}
"""
DATES = ["1996-01-27", "1996/1/7", "1996.01.27", "1996年1月27日", "1996年01月27", "19960127",
         "1996012", "199601", "1996-13-01", "1996-02-45", "1996-01-27T08:00:00", "1996-01-27 08:00",
         "1996-01-275", "1996-01-27x", " 1996-01-27", "1996-01-27\n", "１９９６-01-27",
         "822700800", "822700800000", "13912345678", "", "1996", "1996-1-1日", "1996.1.1.1",
         "1996-01-27\u3000", "1996-01-27\t08", "1996年1月27日 上午", "٢٠٢٠-01-01"]
PLACES = ["湖北省武汉市武昌区公安局", "北京市朝阳区建国路88号", "北京朝阳区", "上海", "重庆市",
          "广西壮族自治区南宁市青秀区", "内蒙古自治区锡林郭勒盟锡林浩特市", "深圳市南山区",
          "香港特别行政区中西区", "南山区科技园", "湖北省", "湖北省武汉市", " 湖北省武汉市",
          "湖北省\n武汉市", "新疆维吾尔自治区伊犁哈萨克自治州伊宁市", "abc省def市", "省市", "12345"]
AMOUNTS = ["28000", "28,000.50", "¥ 609", "￥609元", "$ -5", "5", "3万元", "2.5万元", "-3",
           "1e5", "12.", "1,000,元", "28000 CNY", "28000RMB", "9999999999999999", "0", "-0",
           "10", "99.99", "三千", " 28000", "28000 ", "1,2,3", "7.5 元"]


def test_generalize_twins_give_the_python_answers(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """year, region and band run in the core for what it can read and decline
    the rest to the Python operator: every value, as text and as a number,
    under fields and as findings in text, both directions."""
    policy = compiled(GENERALIZED, str(tmp_path / "g.yaml"))
    rng = random.Random(7)
    bodies = []
    for i in range(max(len(DATES), len(PLACES), len(AMOUNTS))):
        item: dict[str, object] = {
            "birthDate": DATES[i % len(DATES)], "kyc": {"idIssuer": PLACES[i % len(PLACES)]},
            "idValidUntil": rng.choice(DATES), "monthlyIncome": AMOUNTS[i % len(AMOUNTS)],
            "salary": rng.choice((28000, 28000.5, 5, -3, 123456789, 0)),
            "note": f"家住{PLACES[i % len(PLACES)]}人民路{i}号{i + 1}室",
        }
        bodies.append(json.dumps({"items": [item]}, ensure_ascii=False).encode())
    assert differences(bodies, "application/json", policy) == []
    plan = policy.protection.plan("api", "GET", "response", "anonymous")
    calls: list[str] = []
    real = Generalize.apply

    def counted(self: Generalize, value: str, entity: str, site: Any) -> str:
        calls.append(value)
        return real(self, value, entity, site)

    monkeypatch.setattr(Generalize, "apply", counted)
    out = native_path(bodies[0], "application/json", plan, policy, False)[1]
    assert b"1996-**-**" in out and "湖北省武汉市***".encode() in out
    assert calls == []  # the core did these itself
    native_path(bodies[16], "application/json", plan, policy, False)  # full-width digits
    assert "１９９６-01-27" in calls


def test_base64_values_are_protected_whole_on_both_paths(
        policies: dict[str, CompiledPolicy]) -> None:
    import base64

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    body = json.dumps({
        "applicant": {"name": b64("张伟"), "mobile": b64("13912345678").rstrip("="),
                      "idNo": base64.urlsafe_b64encode(b"11010519491231002X").decode()},
        "remark": b64("客户手机13800138000，已核实"),
        "token": base64.urlsafe_b64encode(bytes(range(40, 64))).decode(),
        "status": b64("审核通过"),
    }, ensure_ascii=False).encode()
    policy = policies["default.yaml"]
    assert differences([body], "application/json", policy) == []
    plan = policy.protection.plan("lending-api", "GET", "response", "anonymous")
    seen = python_path(body, "application/json", plan, policy, False)
    out, original = json.loads(seen[1]), json.loads(body)
    assert seen[2] == {("PERSON_NAME", "mask"): 1, ("CN_MOBILE", "mask"): 2,
                       ("CN_RESIDENT_ID", "mask"): 1}
    # masked as sent (the mask keeps at most 3 + 4 base64 characters of the value)
    assert out["applicant"]["name"] == "5*******"
    assert out["applicant"]["mobile"] == "MTM************"
    assert set(out["remark"][3:]) == {"*"}
    assert out["token"] == original["token"] and out["status"] == original["status"]


def test_base64_tokens_inside_text_on_both_paths(policies: dict[str, CompiledPolicy]) -> None:
    """A token inside a longer text is read decoded: the core hands the text to
    the Python path, which masks the token whole; a digest or a random token
    beside it stays."""
    import base64
    token = base64.b64encode(b"13800138000").decode()
    body = json.dumps({"remark": f"客户资料 {token} 已上传",
                       "log": f"sign={base64.b64encode(bytes(range(200, 232))).decode()}&v=2",
                       "trace": "trace d41d8cd98f00b204e9800998ecf8427e done"},
                      ensure_ascii=False).encode()
    policy = policies["default.yaml"]
    assert differences([body], "application/json", policy) == []
    plan = policy.protection.plan("lending-api", "GET", "response", "anonymous")
    out, original = json.loads(python_path(body, "application/json", plan, policy, False)[1]), \
        json.loads(body)
    assert out["remark"].startswith("客户资料 MTM") and token not in out["remark"]
    assert out["remark"].endswith(" 已上传") and "*" in out["remark"]
    assert out["log"] == original["log"] and out["trace"] == original["trace"]
    assert policy.detector.native is not None
    engine = policy.detector.native.engine
    assert engine.detect_batch([original["remark"]], [0]) == [None]  # handed over


def test_tables_are_handed_to_the_python_path(policies: dict[str, CompiledPolicy]) -> None:
    """A body whose header key (`columns`, `headers`, ...) holds a list that
    may name columns goes to the Python path, whose codec names each cell by
    its column; a header key holding anything else (an object, pairs, a
    count) makes no table and stays native, including after the same path
    held a table, and a table after a non-table at the same path is handed
    over; either path gives the same answer."""
    table = json.dumps({"columns": ["custName", "mobile", "amount"],
                        "rows": [["张三", "13800138000", "10.00"], ["李四", "13912345678", "2"]]},
                       ensure_ascii=False).encode()
    objects = json.dumps({"columns": [{"dataIndex": "custName"}, 2],  # numbers name columns too
                          "rows": [["张三", "13800138000"]]}, ensure_ascii=False).encode()
    not_tables = [b'{"fields": {"mobile": "13800138000"}, "data": [["13912345678"]]}',
                  b'{"columns": [["Host", "a"], ["X-Id", "13912345678"]], "rows": [["1"]]}',
                  b'{"columns": 3, "rows": [["13912345678"]]}',
                  b'{"columns": [], "rows": [["13912345678"]]}',
                  b'{"columns": ["custName", true], "rows": [["13912345678"]]}']
    policy = policies["default.yaml"]
    plan = policy.protection.plan("lending-api", "GET", "response", "anonymous")
    for body in [table, objects, *not_tables, table, objects]:  # the same paths, in turn
        taken = inspect_json(body, "application/json", plan, policy.detector, False)
        assert (taken is None) == (body in (table, objects)), body
    assert differences([table, objects, *not_tables], "application/json", policy) == []
    out = json.loads(python_path(table, "application/json", plan, policy, False)[1])
    assert out["rows"] == [["张*", "138********", "10.00"], ["李*", "139********", "2"]]


def test_columns_of_names_by_their_values_on_both_paths(
        policies: dict[str, CompiledPolicy]) -> None:
    """A list whose `f2` values are names goes to the Python path, which masks
    them; a list of districts under the same key stays in the core; escaped
    names count like plain ones; with rules on list positions (every-operator)
    four name-shaped values anywhere hand the body over."""
    rng = random.Random(16)
    names = json.dumps({"list": [{"f2": n, "amt": "1.00"} for n in
                                 ("张伟华", "王芳", "李娜娜", "刘洋明", "陈静怡", "杨秀英")]},
                       ensure_ascii=False).encode()
    escaped = json.dumps({"list": [{"f2": n} for n in
                                   ("张伟华", "王芳", "李娜娜", "刘洋明", "陈静怡")]}).encode()
    places = json.dumps({"list": [{"f2": rng.choice(("朝阳", "海淀", "南山", "罗湖"))}
                                  for _ in range(8)]}, ensure_ascii=False).encode()
    policy = policies["default.yaml"]
    plan = policy.protection.plan("lending-api", "GET", "response", "anonymous")
    assert inspect_json(names, "application/json", plan, policy.detector, False) is None
    assert inspect_json(escaped, "application/json", plan, policy.detector, False) is None
    assert inspect_json(places, "application/json", plan, policy.detector, False) is not None
    for name in ("default.yaml", "every-operator"):
        assert differences([names, escaped, places], "application/json", policies[name]) == []
    out = json.loads(python_path(names, "application/json", plan, policy, False)[1])
    assert [r["f2"] for r in out["list"]] == ["张**", "王*", "李**", "刘**", "陈**", "杨**"]


def test_names_in_prose_on_both_paths(policies: dict[str, CompiledPolicy]) -> None:
    """Notes with names and no cue: the core hands texts with enough Chinese
    characters to the prose pass; both paths mask the same names, and a body
    whose notes hold none stays unchanged."""
    notes = ["与郭琳通话5分钟，态度良好。", "委托庄晓燕代为还款3000元。",
             "张伟的电话一直无人接听。", "客户高兴地说已经找到新工作了", "郭琳", "call 张伟",
             "Called Zhang Wei at 3pm", "Our Hong Kong branch"]
    body = json.dumps({"records": [{"id": i, "remark": note} for i, note in enumerate(notes)]},
                      ensure_ascii=False).encode()
    plain = json.dumps({"remark": "钱已经转过去了，麻烦查一下是否到账"},
                       ensure_ascii=False).encode()
    for name in ("default.yaml", "every-operator"):
        assert differences([body, plain], "application/json", policies[name]) == []
    policy = policies["default.yaml"]
    plan = policy.protection.plan("lending-api", "GET", "response", "anonymous")
    seen = native_path(body, "application/json", plan, policy, False)
    out = [r["remark"] for r in json.loads(seen[1])["records"]]
    assert out[:4] == ["与郭*通话5分钟，态度良好。", "委托庄**代为还款3000元。",
                       "张*的电话一直无人接听。", "客户高兴地说已经找到新工作了"]
    assert out[4:6] == ["郭琳", "call 张伟"]  # too few Chinese characters: no prose
    assert out[6:] == ["Called Z**** *** at 3pm", "Our Hong Kong branch"]  # pinyin
    assert native_path(plain, "application/json", plan, policy, False)[1] is None


def test_organisation_names_stay_in_the_core(policies: dict[str, CompiledPolicy],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A text that ends with an organisation word and holds no clause break
    (bank, employer and police-bureau names fill every borrower page) is not
    handed to the prose pass, which would refuse it: the core decides as
    `prose_names.qualifies` does, whitespace as Python strips it; both paths
    agree, also where a clause break or a pinyin name makes it prose. Chinese
    prose goes to the core's own finder; a text that may hold a pinyin name
    goes through Python (`custom`)."""
    handed: list[str] = []
    custom = NativeJson.custom

    def counting(self: NativeJson, text: str, hints: tuple[str, ...]) -> Any:
        handed.append(text)
        return custom(self, text, hints)

    monkeypatch.setattr(NativeJson, "custom", counting)
    kept = ["中国工商银行股份有限公司", "深圳市腾飞科技有限公司  ", "上海市徐汇区公安局\u3000",
            "\u2003杭州云帆信息技术有限公司\t", "招商银行深圳分行", "张伟在腾飞科技",
            "于华忠说他在公司"]  # the rule's price: taken for an organisation
    prose = ["联系人张伟，深圳市腾飞科技有限公司", "郭琳 上海浦江贸易有限公司",
             "深圳市腾飞科技有限公司。", "公司：王芳的公司"]
    latin = ["Zhang Wei 科技有限公司"]
    body = json.dumps({"records": [{"remark": t} for t in kept + prose + latin]},
                      ensure_ascii=False).encode()
    for name in ("default.yaml", "every-operator"):
        assert differences([body], "application/json", policies[name]) == []
    handed.clear()
    policy = policies["default.yaml"]
    plan = policy.protection.plan("lending-api", "GET", "response", "anonymous")
    seen = native_path(body, "application/json", plan, policy, False)
    assert handed == latin
    assert [qualifies(t) for t in kept] == [False] * len(kept)
    assert [qualifies(t) for t in prose] == [True] * len(prose)
    assert all(name not in seen[1].decode() for name in ("张伟，", "郭琳", "王芳"))


def test_a_column_of_pinyin_names_on_both_paths(policies: dict[str, CompiledPolicy]) -> None:
    """Names in pinyin under a field that says nothing (`f2`) are found value
    by value by the pinyin pass, in the core's hands (no column rule needed);
    two English words (`Sun Gang`) are not."""
    names = ["Zhang Wei", "LIU Yang", "Xiaoming Wang", "Li Xiao-Ming", "Chen Jing", "Sun Gang"]
    body = json.dumps({"list": [{"f2": n, "amt": "1.00"} for n in names]}).encode()
    policy = policies["default.yaml"]
    assert differences([body], "application/json", policy) == []
    plan = policy.protection.plan("lending-api", "GET", "response", "anonymous")
    seen = native_path(body, "application/json", plan, policy, False)
    out = [r["f2"] for r in json.loads(seen[1])["list"]]
    assert [o != n for o, n in zip(out, names, strict=True)] == [True] * 5 + [False]
    assert inspect_json(body, "application/json", plan, policy.detector, False) is not None
