"""TLS settings in a policy: validation with file:line errors, contexts built at
load, rotated files as a new policy version."""

from __future__ import annotations

import shutil
import ssl
from pathlib import Path

import pytest

from gateway.policy.compiled import NO_UPSTREAM, compile_file
from gateway.policy.loader import PolicyError
from tests.tls.pki import Pki, make_pki

POLICY = """version: 1
server:
  listen: 127.0.0.1:0
  admin: 127.0.0.1:0
  tls:
    cert: pki/server.crt
    key: pki/server.key
{listener}
upstreams:
  default:
    url: {url}
{upstream}
routes:
  - name: partners
    match: {{path_prefix: /partners}}
{route}
  - name: all
    match: {{path_prefix: /}}
actions:
  roles:
    certificates: {certificates}
"""


def write(tmp: Path, pki: Pki | None = None, *, listener: str = "", url: str = "https://up.internal",
          upstream: str = "", route: str = "", certificates: str = "{}") -> Path:
    if pki is not None and not (tmp / "pki").exists():
        shutil.copytree(pki.directory, tmp / "pki")
    path = tmp / "policy.yaml"
    path.write_text(POLICY.format(listener=listener, url=url, upstream=upstream, route=route,
                                  certificates=certificates))
    return path


MUTUAL = "    client_ca: pki/ca.crt\n    client_auth: optional"


def test_a_tls_policy_compiles_into_contexts(tmp_path: Path, pki: Pki) -> None:
    path = write(tmp_path, pki, listener=MUTUAL,
                 upstream="    tls: {ca: pki/ca.crt, server_name: upstream.internal}",
                 route="    require_client_cert: true",
                 certificates='{"CN=partner-a,O=Bank A": partner}')
    policy = compile_file(path)
    assert policy.tls.listener is not None
    assert policy.tls.listener.verify_mode == ssl.CERT_OPTIONAL
    up = policy.upstreams["default"].tls
    assert up is not None and up.server_name == "upstream.internal"
    assert policy.routes[0].require_client_cert and not policy.routes[1].require_client_cert
    assert "partner" in policy.protection.roles.roles()
    assert {p.name for p in policy.watched_files} == {"server.crt", "server.key", "ca.crt"}


def test_a_rotated_certificate_is_a_new_policy_version(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    path = write(tmp_path)
    first = compile_file(path).version
    assert compile_file(path).version == first
    pki.rotate_server()
    assert compile_file(path).version != first


@pytest.mark.parametrize(("kw", "line", "message"), [
    ({"listener": "    client_auth: required"}, 5, "client_auth needs client_ca"),
    ({"listener": "    client_ca: pki/ca.crt"}, 5, "client_ca is set but client_auth is none"),
    ({"listener": "    min_version: TLSv1.1"}, 8, "must be one of"),
    ({"route": "    require_client_cert: true"}, 16,
     "routes[0].require_client_cert: needs server.tls with client_ca"),
    ({"certificates": '{"CN=a": partner}'}, 21,
     "actions.roles.certificates: needs server.tls with client_ca"),
    ({"listener": MUTUAL, "certificates": '{"nonsense": partner}'}, 22, "subject DN"),
    ({"url": "http://up.internal", "upstream": "    tls: {ca: pki/ca.crt}"}, 12,
     "the upstream's url is http://"),
    ({"upstream": "    tls: {client_cert: pki/partner-a.crt}"}, 12,
     "client_cert and client_key go together"),
])
def test_contradictions_are_errors_with_lines(tmp_path: Path, pki: Pki, kw: dict[str, str],
                                              line: int, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        compile_file(write(tmp_path, pki, **kw))
    assert message in str(caught.value)
    assert f"policy.yaml:{line} " in str(caught.value)


def test_a_mismatched_pair_is_refused_at_load(tmp_path: Path, pki: Pki) -> None:
    path = write(tmp_path, pki)
    shutil.copy(tmp_path / "pki" / "partner-a.key", tmp_path / "pki" / "server.key")
    with pytest.raises(PolicyError, match=r"policy.yaml:5 server.tls: .*does not match"):
        compile_file(path)


def test_a_bad_upstream_ca_is_refused_at_load(tmp_path: Path, pki: Pki) -> None:
    path = write(tmp_path, pki, upstream="    tls: {ca: pki/missing.crt}")
    with pytest.raises(PolicyError, match=r"upstreams.default.tls: cannot read .*missing.crt"):
        compile_file(path)


def test_skipping_upstream_verification_is_logged_at_every_load(
        tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import log_lines
    path = write(tmp_path, pki, upstream="    tls: {insecure_skip_verify: true}")
    compile_file(path)
    compile_file(path)
    warned = [r for r in log_lines(capsys) if r.get("event") == "upstream_tls_verification_off"]
    assert len(warned) == 2 and warned[0]["upstream"] == "default"
    assert warned[0]["level"] == "warning"


def test_an_http_upstream_override_conflicts_with_upstream_tls(tmp_path: Path, pki: Pki) -> None:
    path = write(tmp_path, pki, upstream="    tls: {ca: pki/ca.crt}")
    with pytest.raises(PolicyError, match="--upstream is http:// but the upstream has tls"):
        compile_file(path, "http://127.0.0.1:9")
    # tools that never send (explain, scan, an offload child) compile it all the same
    assert compile_file(path, NO_UPSTREAM).upstreams["default"].tls is None
