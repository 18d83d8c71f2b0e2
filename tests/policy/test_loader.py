"""Every error names file, line, path and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.policy.cases import policy_files
from gateway.policy.loader import PolicyError, load_policy_file, parse_policy

GOOD = """\
version: 1
upstreams:
  default:
    url: http://127.0.0.1:9000
routes:
  - name: api
    match: {path_prefix: /api}
"""


def issues(text: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "policies/x.yaml")
    return [str(i) for i in info.value.issues]


def test_good_policy_defaults() -> None:
    model = parse_policy(GOOD, "x.yaml")
    assert model.server.header_timeout == 10.0
    assert model.server.max_body_bytes == 10 * 1024 * 1024
    assert model.routes[0].protect is True


@pytest.mark.parametrize(("text", "expected"), [
    (GOOD.replace("  - name: api\n", "  - name: api\n    timeouts:\n      read: 0\n"),
     ["policies/x.yaml:8 routes[0].timeouts.read: must be > 0"]),
    (GOOD.replace("version: 1", "version: 2"), ["policies/x.yaml:1 version: must be one of 1"]),
    (GOOD + "bogus: 1\n", ["policies/x.yaml:8 bogus: unknown key"]),
    (GOOD.replace("    url:", "    uri:"),
     ["policies/x.yaml:4 upstreams.default.uri: unknown key"]),
    (GOOD.replace("http://127.0.0.1:9000", "ftp://x"),
     ["policies/x.yaml:4 upstreams.default.url: must be an http:// or https:// URL with a host"]),
    (GOOD.replace("{path_prefix: /api}", "{path_prefix: api}"),
     ["policies/x.yaml:7 routes[0].match.path_prefix: must start with /"]),
    (GOOD + "  - name: api\n",
     ["policies/x.yaml:8 routes[1].name: route name 'api' is used twice"]),
    (GOOD + "  - name: b\n    upstream: nope\n",
     ["policies/x.yaml:9 routes[1].upstream: unknown upstream 'nope'; defined: ['default']"]),
    (GOOD + "server:\n  max_body_bytes: lots\n",
     ["policies/x.yaml:9 server.max_body_bytes: must be a size such as 10MiB, 512KiB "
      "or a number of bytes"]),
    (GOOD + "server:\n  trusted_proxies: [10.0.0.0/8, nope]\n",
     ["policies/x.yaml:9 server.trusted_proxies[1]: must be an IP address or CIDR network, "
      "such as 10.0.0.0/8"]),
    (GOOD + "keys:\n  rotate: []\n", ["policies/x.yaml:9 keys.rotate: unknown key"]),
    (GOOD + "actions:\n  rules:\n    - {name: r, operator: mask, direction: sideways}\n",
     ["policies/x.yaml:10 actions.rules[0].direction: must be one of 'request', 'response' "
      "or 'both'"]),
    (GOOD + "detection:\n  entities: [CN_MOBILE, SSN]\n",
     ["policies/x.yaml:9 detection.entities: unknown entity types ['SSN']; built-in: "
      "['ADDRESS', 'CN_BANK_CARD', 'CN_HK_MACAU_PERMIT', 'CN_HOME_RETURN_PERMIT', "
      "'CN_LANDLINE', 'CN_LICENSE_PLATE', 'CN_MOBILE', 'CN_PASSPORT', 'CN_RESIDENT_ID', "
      "'CN_TAIWAN_PERMIT', 'CN_USCC', 'CREDIT_CARD', 'EMAIL_ADDRESS', 'IP_ADDRESS', "
      "'PERSON_NAME']"]),
    (GOOD + "detection:\n  thresholds: {CN_MOBILE: 1.5}\n",
     ["policies/x.yaml:9 detection.thresholds: thresholds must be between 0 and 1 "
      "(see ['CN_MOBILE'])"]),
    (GOOD + "detection:\n  thresholds: {NOPE: 0.5}\n",
     ["policies/x.yaml:8 detection: thresholds for unknown entity types ['NOPE']"]),
    (GOOD + "detection:\n  recognizers:\n    - entity: EMP_NO\n      validator: md5\n"
            "      patterns: [{name: emp, regex: 'EMP[0-9', score: 0.5}]\n",
     ["policies/x.yaml:12 detection.recognizers[0].patterns[0].regex: not a valid regular "
      "expression (unterminated character set at position 7)",
      "policies/x.yaml:12 detection.recognizers[0].patterns: tuple should have at least 1 "
      "item after validation, not 0",
      "policies/x.yaml:11 detection.recognizers[0].validator: unknown validator; expected one "
      "of ['cn_ric', 'cn_uscc', 'luhn', 'none']"]),
    (GOOD + "routes: []\n", ["policies/x.yaml:8 routes: duplicate key"]),
    ("version: 1\n",
     ["policies/x.yaml:1 upstreams: required", "policies/x.yaml:1 routes: required"]),
    (GOOD.replace("routes:\n  - name: api\n    match: {path_prefix: /api}\n", "routes: []\n"),
     ["policies/x.yaml:5 routes: at least one entry is required"]),
    ("- a\n- b\n", ["policies/x.yaml:1 the document must be a mapping"]),
    ("version: [1\n", ["policies/x.yaml:2 YAML: expected ',' or ']', but got '<stream end>'"]),
    (GOOD + "  - name: c\n    match: {methods: [FETCH]}\n",
     ["policies/x.yaml:9 routes[1].match.methods: unknown method; expected some of "
      "['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']"]),
])
def test_errors(text: str, expected: list[str]) -> None:
    assert issues(text) == expected


def test_all_errors_reported_at_once() -> None:
    text = GOOD.replace("version: 1", "version: 1\nserver:\n  header_timeout: -1\n  idle: 3")
    assert len(issues(text)) == 2


def test_load_file(tmp_path: Path) -> None:
    p = tmp_path / "p.yaml"
    p.write_text(GOOD)
    loaded = load_policy_file(p)
    assert len(loaded.version) == 12
    p.write_text(GOOD + "\n# changed\n")
    assert load_policy_file(p).version != loaded.version


def test_load_missing_and_binary(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy_file(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy_file(bad)


def test_shipped_policies_are_valid(repo_root: Path) -> None:
    files = policy_files(repo_root / "policies")
    assert files
    for f in files:
        load_policy_file(f)
