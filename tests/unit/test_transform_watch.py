"""How dbt node results become the end of their Airflow tasks (`dxw.transform.watch`)."""

from __future__ import annotations

import asyncio
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.triggers.base import TaskFailedEvent, TaskSkippedEvent, TaskSuccessEvent

from dxw.transform import watch
from dxw.transform.watch import (
    RESULTS_KEY,
    DbtNodeTrigger,
    NodeResultsPublisher,
    end_event,
    node_result,
    result_after_producer,
)

MODEL = "model.dx_warehouse.fct_wifi_points"
TESTS = ("test.dx_warehouse.unique_fct_wifi_points_key", "test.dx_warehouse.not_null_x")


@pytest.mark.parametrize(
    ("status", "state"),
    [("success", "success"), ("skipped", "skipped"), ("error", "failed"), ("fail", "failed")],
)
def test_a_model_ends_as_dbt_reported_it(status: str, state: str) -> None:
    result = node_result({MODEL: status}, MODEL)
    assert result is not None and result.state == state


def test_a_model_not_reported_yet_waits() -> None:
    assert node_result({"model.other": "success"}, MODEL) is None


def test_tests_wait_for_every_test_and_fail_on_the_first_failure() -> None:
    assert node_result({TESTS[0]: "pass"}, MODEL, TESTS) is None
    failed = node_result({TESTS[1]: "fail"}, MODEL, TESTS)
    assert failed is not None and failed.state == "failed" and TESTS[1] in failed.message
    passed = node_result({TESTS[0]: "pass", TESTS[1]: "warn"}, MODEL, TESTS)
    assert passed is not None and passed.state == "success"
    skipped = node_result(dict.fromkeys(TESTS, "skipped"), MODEL, TESTS)
    assert skipped is not None and skipped.state == "skipped"


def test_a_node_the_producer_never_reported() -> None:
    assert result_after_producer("success", MODEL).state == "success"
    assert result_after_producer("failed", MODEL).state == "failed"


def test_end_events_end_the_task_in_the_triggerer() -> None:
    assert isinstance(end_event(watch.NodeResult("success", "")), TaskSuccessEvent)
    assert isinstance(end_event(watch.NodeResult("skipped", "")), TaskSkippedEvent)
    assert isinstance(end_event(watch.NodeResult("failed", "")), TaskFailedEvent)


def test_the_trigger_round_trips_through_its_serialisation() -> None:
    trigger = DbtNodeTrigger(MODEL, "dbt.dbt_producer_watcher", "dxw_transform", list(TESTS))
    classpath, kwargs = trigger.serialize()
    assert classpath == watch.TRIGGER_CLASS
    again = DbtNodeTrigger(**kwargs)
    assert again.serialize() == (classpath, kwargs)


class _FakeTaskInstance:
    """Records XCom pushes like the task SDK would send them to the API."""

    def __init__(self) -> None:
        self.pushes: list[tuple[str, Any]] = []

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushes.append((key, value))


def _event(name: str, unique_id: str = "", status: str = "") -> Any:
    node_info = SimpleNamespace(unique_id=unique_id, node_status=status)
    return SimpleNamespace(
        info=SimpleNamespace(name=name), data=SimpleNamespace(node_info=node_info)
    )


def test_the_publisher_pushes_results_off_dbt_threads_and_once_more_at_the_end() -> None:
    ti = _FakeTaskInstance()
    publisher = NodeResultsPublisher(ti, interval=0.05)
    threads = [
        threading.Thread(
            target=publisher.on_event, args=(_event("NodeFinished", f"n{i}", "success"),)
        )
        for i in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    publisher.on_event(_event("NodeStart", "ignored", "started"))
    time.sleep(0.2)
    publisher.on_event(_event("NodeFinished", "last", "error"))
    publisher.on_event(_event("CommandCompleted"))
    assert not publisher.thread.is_alive()
    keys = {key for key, _ in ti.pushes}
    assert keys == {RESULTS_KEY}
    final = ti.pushes[-1][1]["nodes"]
    assert final == {**{f"n{i}": "success" for i in range(20)}, "last": "error"}
    pushes = len(ti.pushes)
    publisher.close()
    assert len(ti.pushes) == pushes, "nothing new: no push"


def test_one_poller_serves_every_trigger_of_a_producer(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"state": 0, "statuses": 0}
    results: dict[str, str] = {}

    async def state(self: Any) -> str:
        calls["state"] += 1
        return "running" if len(results) < 2 else "success"

    async def statuses(self: Any) -> dict[str, str]:
        calls["statuses"] += 1
        results.setdefault("a", "success")
        if calls["statuses"] > 2:
            results.setdefault("b", "skipped")
        return dict(results)

    monkeypatch.setattr(watch._Producer, "_state", state)
    monkeypatch.setattr(watch._Producer, "_statuses", statuses)

    async def scenario() -> list[Any]:
        triggers = [
            DbtNodeTrigger(node, "p", "d", run_id="r", poke_interval=0.01)
            for node in ("a", "b", "c")
        ]

        async def first(trigger: DbtNodeTrigger) -> Any:
            async for event in trigger.run():
                return event

        return await asyncio.gather(*(first(t) for t in triggers))

    a, b, c = asyncio.run(scenario())
    assert isinstance(a, TaskSuccessEvent)
    assert isinstance(b, TaskSkippedEvent)
    # "c" was never reported; the producer succeeded: dbt had nothing to do for it.
    assert isinstance(c, TaskSuccessEvent)
    assert calls["state"] == calls["statuses"] <= 5, calls
    assert watch._PRODUCERS == {}
