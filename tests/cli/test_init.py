"""The command line, as a user runs it."""

from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from gateway.cli import main
from tests.server.helpers import GatewayProcess, reserve_port


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway", *args], capture_output=True,
                          text=True, timeout=60)


def test_policy_check_ok(repo_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "check", str(repo_root / "policies/default.yaml")]) == 0
    assert "default.yaml: ok" in capsys.readouterr().out


def test_policy_check_reports_all_files(tmp_path: Path, repo_root: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a.yaml"
    a.write_text("version: 1\nupstreams: {default: {}}\nroutes:\n  - name: r\n"
                 "    timeouts: {read: 0}\n")
    b = tmp_path / "b.yaml"
    b.write_text("version: 3\n")
    assert main(["policy", "check", str(a), str(b),
                 str(repo_root / "policies/default.yaml")]) == 1
    out = capsys.readouterr()
    assert f"{a}:5 routes[0].timeouts.read: must be > 0" in out.err
    assert f"{b}:1 version: must be one of 1" in out.err
    assert "default.yaml: ok" in out.out


def test_workers_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--workers", "0"]) == 2
    assert "--workers must be >= 1" in capsys.readouterr().err


def test_workers_auto_is_the_usable_cores() -> None:
    import os

    from gateway.cli.serve import workers
    assert workers("auto") == len(os.sched_getaffinity(0)) >= 1
    assert workers("3") == 3
    with pytest.raises(Exception, match="a number, or auto"):
        workers("many")


def test_help_lists_every_command_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for cmd in ("serve", "demo", "demo-upstream", "policy", "keys", "limits", "audit", "scan"):
        assert cmd in out


def test_python_dash_m_runs_the_same_command_line() -> None:
    """One subprocess: `python -m gateway` is wired to main()."""
    out = run("policy", "check", "/nonexistent.yaml")
    assert out.returncode == 1 and "cannot read" in out.stderr


async def test_demo_end_to_end(tmp_path: Path, repo_root: Path) -> None:
    gw, admin, up = reserve_port(), reserve_port(), reserve_port()
    p = GatewayProcess(["demo", "--listen", f"127.0.0.1:{gw}", "--admin",
                        f"127.0.0.1:{admin}", "--upstream-listen", f"127.0.0.1:{up}",
                        "--policy", str(repo_root / "policies/default.yaml")],
                       admin, gw, tmp_path / "demo.log")
    await p.start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{gw}/api/v1/borrowers?page=1&size=2") as r:
                assert r.status == 200
                assert len((await r.json())["items"]) == 2
            body = {"name": "张三", "idNo": "11010519491231002X"}
            async with http.post(f"http://127.0.0.1:{gw}/api/v1/loan-applications",
                                 json=body) as r:
                loan_id = (await r.json())["loanId"]
            async with http.get(f"http://127.0.0.1:{up}/api/v1/loans/{loan_id}") as r:
                assert (await r.json())["application"] == body
        assert f"curl -s http://127.0.0.1:{gw}/api/v1/borrowers" in p.log.read_text()
    finally:
        p.stop()


async def test_demo_with_tls_tells_partners_apart_by_certificate(tmp_path: Path,
                                                                 repo_root: Path) -> None:
    gw, admin, up = reserve_port(), reserve_port(), reserve_port()
    p = GatewayProcess(["demo", "--tls", "--listen", f"127.0.0.1:{gw}", "--admin",
                        f"127.0.0.1:{admin}", "--upstream-listen", f"127.0.0.1:{up}"],
                       admin, gw, tmp_path / "demo.log")
    await p.start()
    tls = repo_root / "keys" / "dev-tls"

    def client(partner: str | None) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=tls / "ca.crt")
        if partner:
            ctx.load_cert_chain(tls / f"{partner}.crt", tls / f"{partner}.key")
        return ctx

    url = f"https://127.0.0.1:{gw}/api/v1/borrowers?size=1"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(url, ssl=client("partner-a")) as r:
                assert r.status == 200
                assert (await r.json())["items"][0]["idNo"].startswith("h_")  # the funder's view
            async with http.get(url, ssl=client("partner-b")) as r:
                assert "*" in (await r.json())["items"][0]["idNo"]  # collections: masked
            async with http.get(url, ssl=client(None)) as r:
                assert r.status == 403
        said = p.log.read_text()
        assert "--cert keys/dev-tls/partner-a.crt --key keys/dev-tls/partner-a.key" in said
    finally:
        p.stop()


async def test_demo_upstream_alone(tmp_path: Path) -> None:
    port = reserve_port()
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "demo-upstream", "--listen",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        import asyncio

        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/api/v1/loans/1") as r:
                        assert r.status == 200
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("demo-upstream did not start")
    finally:
        proc.terminate()
        proc.wait(10)


def test_policy_check_compiles_and_points_at_the_line(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nupstreams: {default: {}}\nroutes: [{name: a}]\nactions:\n"
                    "  rules:\n    - {name: x, operator: maks}\n", encoding="utf-8")
    assert main(["policy", "check", str(path)]) == 1
    assert f"{path}:6 actions.rules[0].operator: unknown operator 'maks'" in \
        capsys.readouterr().err


def test_a_wrong_master_key_stops_start_up_with_a_clear_error(tmp_path: Path,
                                                              repo_root: Path) -> None:
    import shutil

    from gateway.crypto.devkeys import ensure_dev_keys
    shutil.copytree(repo_root / "policies", tmp_path / "policies")
    ensure_dev_keys(tmp_path / "keys")
    (tmp_path / "keys" / "master.key").write_text("ab" * 32 + "\n")
    out = run("serve", "--policy", str(tmp_path / "policies/default.yaml"),
              "--upstream", "http://127.0.0.1:9", "--listen", "127.0.0.1:0",
              "--admin", "127.0.0.1:0")
    assert out.returncode == 2
    assert "keys: the master key does not open this key store" in out.stderr
    assert "ab" * 32 not in out.stderr + out.stdout
