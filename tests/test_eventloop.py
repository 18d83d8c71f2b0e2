"""Choosing the event loop: flag, environment, auto; uvloop missing."""

from __future__ import annotations

import sys

import pytest

from gateway import eventloop
from gateway.cli import main


def test_flag_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(eventloop.ENV, "asyncio")
    assert eventloop.requested("uvloop") == "uvloop"
    assert eventloop.requested(None) == "asyncio"
    monkeypatch.delenv(eventloop.ENV)
    assert eventloop.requested(None) == "auto"


def test_unknown_choice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(eventloop.ENV, "tokio")
    with pytest.raises(eventloop.LoopUnavailable, match="one of auto, uvloop, asyncio"):
        eventloop.requested(None)


@pytest.mark.parametrize(("choice", "name"), [("auto", "uvloop"), ("uvloop", "uvloop"),
                                              ("asyncio", "asyncio")])
def test_the_chosen_loop_runs(choice: str, name: str) -> None:
    seen: list[str] = []

    async def probe() -> None:
        seen.append(eventloop.running())

    chosen, factory = eventloop.loop_factory(choice)
    eventloop.run(probe(), factory)
    assert chosen == name and seen == [name]


def test_without_uvloop_auto_falls_back_and_uvloop_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import fails
    assert eventloop.loop_factory("auto") == ("asyncio", None)
    with pytest.raises(eventloop.LoopUnavailable, match="not installed"):
        eventloop.loop_factory("uvloop")


def test_serve_refuses_a_missing_uvloop(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)
    assert main(["serve", "--policy", "policies/default.yaml", "--upstream",
                 "http://127.0.0.1:1", "--loop", "uvloop"]) == 2
    assert "uvloop is not installed" in capsys.readouterr().err


def test_running_outside_a_loop_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        eventloop.running()
