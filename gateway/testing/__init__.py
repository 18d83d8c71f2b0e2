"""For security test suites: the pytest plugin's fixtures (`plugin.py`), a gateway
in a background thread (`harness.py`) and `assert_no_pii` (`assertions.py`).

    from gateway.testing import assert_no_pii, run_gateway
"""

from gateway.testing.assertions import Found, PiiFound, assert_no_pii, find_pii
from gateway.testing.harness import GatewayThread, RunningGateway, run_gateway

__all__ = ["Found", "GatewayThread", "PiiFound", "RunningGateway", "assert_no_pii",
           "find_pii", "run_gateway"]
