"""The deployment files: Kubernetes manifests valid against the API schema
(offline, kubernetes-validate), wired as the README says, and the policy they
mount compiles."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from gateway.crypto.devkeys import ensure_dev_keys
from gateway.policy.compiled import compile_policy
from gateway.policy.loader import load_policy_file

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "kubernetes"


def documents(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]


@pytest.mark.parametrize("name", ["deployment.yaml", "service.yaml", "redis.yaml"])
def test_manifests_are_valid_kubernetes(name: str) -> None:
    for document in documents(name):
        kubernetes_validate.validate(document, kubernetes_validate.latest_version(), strict=True)


def test_the_sidecar_is_wired() -> None:
    (deployment,) = documents("deployment.yaml")
    pod = deployment["spec"]["template"]["spec"]
    gateway = next(c for c in pod["containers"] if c["name"] == "pii-gateway")
    app = next(c for c in pod["containers"] if c["name"] == "lending-api")
    assert "127.0.0.1:8000" in app["command"] and "http://127.0.0.1:8000" in gateway["args"]
    assert gateway["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "admin"}
    assert gateway["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "admin"}
    assert {p["name"]: p["containerPort"] for p in gateway["ports"]} == {"http": 8080,
                                                                         "admin": 9901}
    (env,) = gateway["env"]
    assert env["name"] == "PII_GATEWAY_MASTER_KEY" and "secretKeyRef" in env["valueFrom"]
    mounts = {m["name"]: m for m in gateway["volumeMounts"]}
    assert mounts["keys"]["readOnly"] and mounts["policy"]["readOnly"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["policy"]["configMap"]["name"] == "pii-gateway-policy"
    assert gateway["resources"]["requests"] and gateway["resources"]["limits"]
    (service,) = documents("service.yaml")
    assert service["spec"]["ports"][0]["targetPort"] == "http"     # never the app's port
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    for resource in kustomization["resources"]:
        assert (K8S / resource).is_file()
    (generator,) = kustomization["configMapGenerator"]
    assert generator["name"] == "pii-gateway-policy"
    assert (K8S / generator["files"][0].split("=")[1]).resolve() == DEPLOY / "policy.yaml"


def test_compose_mounts_what_exists() -> None:
    compose = yaml.safe_load((DEPLOY / "compose" / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"redis", "lending-api", "gateway"}
    gateway = services["gateway"]
    for volume in gateway["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("."):
            assert (DEPLOY / "compose" / source).resolve().exists()
    assert "http://lending-api:8000" in gateway["command"]
    assert "/app/deploy/policy.yaml" in gateway["command"]


def test_the_deployment_policy_compiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ensure_dev_keys(tmp_path / "keys")
    monkeypatch.setenv("PII_GATEWAY_MASTER_KEY", (tmp_path / "keys/master.key").read_text())
    text = (DEPLOY / "policy.yaml").read_text().replace("/app/keys", str(tmp_path / "keys"))
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace("/app/state", str(tmp_path / "state")))
    policy = compile_policy(load_policy_file(path), upstream_url="http://127.0.0.1:8000")
    assert policy.limits is not None and policy.limits.store_url == "redis://redis:6379/0"
    assert policy.audit is not None and policy.audit.sink == "stdout"
    assert policy.keys is not None


def test_tls_comes_from_a_secret_and_the_commented_policy_block_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment mounts the Secret pii-gateway-tls at /app/tls; the policy's
    commented `server.tls`, uncommented over files with the Secret's names,
    compiles into a mutual-TLS listener."""
    (deployment,) = documents("deployment.yaml")
    pod = deployment["spec"]["template"]["spec"]
    gateway = next(c for c in pod["containers"] if c["name"] == "pii-gateway")
    mount = next(m for m in gateway["volumeMounts"] if m["name"] == "tls")
    assert mount == {"name": "tls", "mountPath": "/app/tls", "readOnly": True}
    volume = next(v for v in pod["volumes"] if v["name"] == "tls")
    assert volume["secret"]["secretName"] == "pii-gateway-tls" and volume["secret"]["optional"]
    ensure_dev_keys(tmp_path / "keys")
    dev = tmp_path / "keys" / "dev-tls"
    secret = tmp_path / "tls"
    secret.mkdir()
    for name, source in (("tls.crt", "server.crt"), ("tls.key", "server.key"),
                         ("ca.crt", "ca.crt")):
        (secret / name).write_bytes((dev / source).read_bytes())
    monkeypatch.setenv("PII_GATEWAY_MASTER_KEY", (tmp_path / "keys/master.key").read_text())
    text = (DEPLOY / "policy.yaml").read_text()
    text = text.replace("  # tls:", "  tls:").replace("  #   ", "    ")
    text = text.replace("/app/keys", str(tmp_path / "keys")).replace("/app/state",
                                                                     str(tmp_path / "state"))
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace("/app/tls", str(secret)))
    policy = compile_policy(load_policy_file(path), upstream_url="http://127.0.0.1:8000")
    assert policy.tls.listener is not None
    assert policy.tls.listener.verify_mode == ssl.CERT_OPTIONAL
