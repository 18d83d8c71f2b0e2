"""tests/ mirrors gateway/: a module's tests are in tests/<package>/test_<module>.py,
or the module is listed below with the tests that cover it (read them when you
change it). A listed module that gains its own file must leave the list."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COVERED_BY: dict[str, tuple[str, ...]] = {
    "gateway/admin.py": ("tests/server/test_runtime.py", "tests/obs/test_metrics.py"),
    "gateway/app.py": ("tests/server/test_runtime.py", "tests/proxy/test_handler.py"),
    "gateway/appkeys.py": ("tests/proxy/test_middlewares.py",),
    "gateway/cli/audit.py": ("tests/integration/test_audit_trail.py",),
    "gateway/cli/common.py": ("tests/cli/test_init.py",),
    "gateway/cli/reports.py": ("tests/cli/test_policy.py", "tests/cli/test_scan.py"),
    "gateway/cli/demo.py": ("tests/cli/test_init.py",),
    "gateway/cli/serve.py": ("tests/cli/test_init.py", "tests/server/test_workers.py"),
    "gateway/crypto/devkeys.py": ("tests/cli/test_keys.py",),
    "gateway/errors.py": ("tests/proxy/test_middlewares.py", "tests/http/test_canonical.py"),
    "gateway/exchange.py": ("tests/proxy/test_audit_records.py",
                            "tests/proxy/test_ratelimit_stage.py"),
    "gateway/state.py": ("tests/proxy/test_middlewares.py", "tests/server/test_runtime.py"),
    "gateway/audit/events.py": ("tests/audit/test_writer.py", "tests/audit/test_records.py"),
    "gateway/audit/settings.py": ("tests/audit/test_writer.py", "tests/policy/test_audit.py"),
    "gateway/codecs/base.py": ("tests/codecs/test_json_codec.py", "tests/operators/test_site.py"),
    "gateway/native/sources.py": ("tests/native/test_init.py",),
    "gateway/obs/sink.py": ("tests/obs/test_logging.py",),
    "gateway/operators/base.py": ("tests/operators/test_registry.py",),
    "gateway/operators/block.py": ("tests/operators/test_simple.py",),
    "gateway/operators/keep.py": ("tests/operators/test_simple.py",),
    "gateway/operators/redact.py": ("tests/operators/test_simple.py",),
    "gateway/operators/replace.py": ("tests/operators/test_simple.py",),
    "gateway/operators/reencrypt.py": ("tests/cli/test_keys.py",),
    "gateway/policy/actions.py": ("tests/protect/test_roles.py", "tests/protect/test_engine.py"),
    "gateway/policy/model.py": ("tests/policy/test_loader.py", "tests/policy/test_compiled.py"),
    "gateway/policy/modelbase.py": ("tests/policy/test_loader.py",),
    "gateway/ratelimit/lua.py": ("tests/ratelimit/test_store.py",),
    "gateway/protect/rules.py": ("tests/protect/test_engine.py", "tests/protect/test_fields.py"),
    "gateway/proxy/body.py": ("tests/proxy/test_handler.py", "tests/proxy/test_streaming.py"),
    "gateway/proxy/forward.py": ("tests/proxy/test_handler.py", "tests/proxy/test_streaming.py"),
    "gateway/proxy/detectors.py": ("tests/proxy/test_ratelimit_stage.py",
                                   "tests/integration/test_scraping.py",
                                   "tests/ratelimit/test_remote.py"),
    "gateway/upstream/errors.py": ("tests/upstream/test_connection.py",
                                   "tests/upstream/test_pool.py"),
}


def mirrored(module: Path) -> Path:
    relative = module.relative_to(ROOT / "gateway")
    return ROOT / "tests" / relative.parent / f"test_{relative.name}"


def modules() -> list[Path]:
    return sorted(p for p in (ROOT / "gateway").rglob("*.py")
                  if p.name not in ("__init__.py", "__main__.py"))


def test_every_module_has_its_test_file_or_names_where_it_is_tested() -> None:
    missing = [str(p.relative_to(ROOT)) for p in modules()
               if not mirrored(p).exists() and str(p.relative_to(ROOT)) not in COVERED_BY]
    assert missing == []


def test_the_list_is_current() -> None:
    stale = [m for m in COVERED_BY if not (ROOT / m).exists() or mirrored(ROOT / m).exists()]
    assert stale == []
    absent = [t for tests in COVERED_BY.values() for t in tests if not (ROOT / t).exists()]
    assert absent == []
