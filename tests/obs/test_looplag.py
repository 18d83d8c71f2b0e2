"""LoopLag: the recent lag is the larger of the last two measurements."""

from __future__ import annotations

from gateway.obs.looplag import LoopLag


def test_recent_lag_is_the_larger_of_the_last_two() -> None:
    lag = LoopLag()
    assert lag.recent() == 0.0
    lag.observe(0.2)
    lag.observe(0.01)
    assert lag.recent() == 0.2  # half a second of history
    lag.observe(0.03)
    assert lag.recent() == 0.03
    lag.observe(-0.001)  # a timer that ran early is no lag
    assert lag.recent() == 0.03
    lag.observe(0.0)
    assert lag.recent() == 0.0
