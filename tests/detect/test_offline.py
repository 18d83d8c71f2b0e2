"""Detection opens no network connection, at import or at run time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import sys

def guard(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                 "urllib.Request", "http.client.connect"):
        raise SystemExit(f"network: {event}")

sys.addaudithook(guard)
from gateway.detect import Detector
detector = Detector()
text = "邮箱 zhang.san@example.cn，手机13800138000，住址：北京市朝阳区建国路88号"
fast = detector.detect(text, ("remark",))
assert fast == detector.reference(text, ("remark",)), "paths differ"
assert {f.entity_type for f in fast} == {"EMAIL_ADDRESS", "CN_MOBILE", "ADDRESS"}, fast
print("ok")
"""


def test_no_network_and_no_model_download() -> None:
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=root, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok"
