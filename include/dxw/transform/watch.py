"""dbt models and tests as Airflow tasks that cost no worker: Cosmos' WATCHER mode, finished in
the triggerer.

In Cosmos' `ExecutionMode.WATCHER` one task (the producer) runs a single `dbt build`; every seed,
model and the tests of each model keep a task of their own, a sensor of that node's result.
Cosmos starts each sensor on a worker, defers it to the triggerer and resumes it on a worker:
two task processes per node, which on two cores cost more than the build itself. Here:

- each sensor starts in the triggerer (`start_from_trigger`) as soon as the run starts, and its
  trigger ends the task there (`TaskSuccessEvent`, `TaskFailedEvent`, `TaskSkippedEvent`): no
  worker process per node, and no scheduler round trip per level of the dbt graph (dbt itself
  orders the build; the edges between the sensors still show the lineage);
- the producer publishes every node's result in one XCom (`RESULTS_KEY`), at most once a
  second, from a thread of its own (`NodeResultsPublisher`); the triggers of one producer share
  a single poller of that XCom and of the producer's state, so the API sees two requests per
  interval however many nodes wait.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from airflow.triggers.base import (
    BaseTrigger,
    StartTriggerArgs,
    TaskFailedEvent,
    TaskSkippedEvent,
    TaskSuccessEvent,
    TriggerEvent,
)

log = logging.getLogger(__name__)

#: The producer's XCom holding every finished node's dbt status: {"nodes": {unique_id: status}}.
RESULTS_KEY = "dxw_node_results"
#: How often the producer publishes new results and the triggers read them (seconds).
PUBLISH_INTERVAL = 1.0
POKE_INTERVAL = 2.0
#: A node not reported by then fails; the producer runs one `dbt build`, far shorter.
NODE_TIMEOUT = timedelta(hours=3)
TRIGGER_CLASS = "dxw.transform.watch.DbtNodeTrigger"
PRODUCER_DONE = frozenset({"success", "failed", "skipped", "upstream_failed", "removed"})
SUCCESS = frozenset({"success", "pass", "warn"})
SKIPPED = frozenset({"skipped"})


@dataclass(frozen=True, slots=True)
class NodeResult:
    """How one dbt node (or the tests of one model) ended, as its task should end."""

    state: str  # success | failed | skipped
    message: str


def node_result(
    statuses: dict[str, str], node: str, tests: Sequence[str] | None = None
) -> NodeResult | None:
    """The result of `node` (or of its `tests`) in the producer's statuses; None until known."""
    if tests is None:
        status = statuses.get(node)
        if status is None:
            return None
        if status in SUCCESS:
            return NodeResult("success", f"dbt: {node} {status}")
        if status in SKIPPED:
            return NodeResult("skipped", f"dbt skipped {node} (an upstream node failed)")
        return NodeResult("failed", f"dbt: {node} {status}; see the producer's log")
    found = {test: statuses[test] for test in tests if test in statuses}
    failed = sorted(t for t, status in found.items() if status not in SUCCESS | SKIPPED)
    if failed:
        return NodeResult("failed", f"tests of {node} failed: {', '.join(failed)}")
    if len(found) < len(tests):
        return None
    if all(status in SKIPPED for status in found.values()):
        return NodeResult("skipped", f"dbt skipped the tests of {node}")
    return NodeResult("success", f"the {len(tests)} tests of {node} passed")


def result_after_producer(state: str, node: str) -> NodeResult:
    """The result of a node the producer never reported, once the producer has finished."""
    if state == "success":
        # dbt ran nothing for it (an ephemeral model, an empty test selection).
        return NodeResult("success", f"dbt did not run {node}: nothing to do")
    return NodeResult("failed", f"the dbt build ended ({state}) before {node} was reported")


class NodeResultsPublisher:
    """dbt callback of the producer: collects each node's status, publishes them as one XCom.

    dbt calls `on_event` from its worker threads for every event; only `NodeFinished` is kept.
    A thread pushes the statuses whenever they changed, at most every `interval` seconds, so no
    dbt thread ever waits on the API; the last push happens when dbt's command completes.
    """

    def __init__(self, task_instance: Any, interval: float = PUBLISH_INTERVAL) -> None:
        self.task_instance = task_instance
        self.interval = interval
        self.statuses: dict[str, str] = {}
        self.version = 0
        self.published = 0
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="dxw-node-results", daemon=True)
        self.thread.start()

    def on_event(self, event: Any) -> None:
        name = event.info.name
        if name == "NodeFinished":
            node = event.data.node_info
            with self.lock:
                self.statuses[node.unique_id] = node.node_status
                self.version += 1
        elif name == "CommandCompleted":
            self.close()

    def close(self) -> None:
        """Stop the thread and publish what is left (idempotent)."""
        self.done.set()
        if self.thread is not threading.current_thread():
            self.thread.join(timeout=60)
        self.publish()

    def publish(self) -> None:
        from cosmos.operators._watcher.state import safe_xcom_push

        with self.lock:
            if self.version == self.published:
                return
            version, statuses = self.version, dict(self.statuses)
        # Cosmos' own pushes and this one share its lock: the task's API channel is not
        # thread-safe.
        safe_xcom_push(self.task_instance, RESULTS_KEY, {"nodes": statuses})
        with self.lock:
            self.published = max(self.published, version)

    def _loop(self) -> None:
        while not self.done.wait(self.interval):
            try:
                self.publish()
            except Exception:  # the final publish retries; a node waits a little longer
                log.exception("could not publish dbt node results")


@dataclass
class _Producer:
    """One producer task of one DAG run, polled for every node its triggers wait for."""

    dag_id: str
    run_id: str
    task_id: str
    interval: float
    waiting: dict[tuple[str, tuple[str, ...] | None], list[asyncio.Future[NodeResult]]] = field(
        default_factory=dict
    )
    task: asyncio.Task[None] | None = None

    def wait(self, node: str, tests: tuple[str, ...] | None) -> asyncio.Future[NodeResult]:
        future: asyncio.Future[NodeResult] = asyncio.get_running_loop().create_future()
        self.waiting.setdefault((node, tests), []).append(future)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._poll())
        return future

    async def _poll(self) -> None:
        try:
            while self.waiting:
                state = await self._state()
                statuses = await self._statuses()
                for (node, tests), futures in list(self.waiting.items()):
                    result = node_result(statuses, node, tests)
                    if result is None and state in PRODUCER_DONE:
                        result = result_after_producer(state, node)
                    if result is not None:
                        for future in futures:
                            if not future.done():
                                future.set_result(result)
                        del self.waiting[(node, tests)]
                if self.waiting:
                    await asyncio.sleep(self.interval)
        except Exception as error:  # a poller that dies must not leave its tasks waiting
            for futures in self.waiting.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(error)
            self.waiting.clear()
            raise
        finally:
            _PRODUCERS.pop((self.dag_id, self.run_id, self.task_id), None)

    async def _state(self) -> str | None:
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance
        from asgiref.sync import sync_to_async

        states = await sync_to_async(RuntimeTaskInstance.get_task_states)(
            dag_id=self.dag_id, task_ids=[self.task_id], run_ids=[self.run_id]
        )
        state = states.get(self.run_id, {}).get(self.task_id)
        return str(state) if state is not None else None

    async def _statuses(self) -> dict[str, str]:
        from airflow.sdk.execution_time.xcom import XCom
        from asgiref.sync import sync_to_async

        value = await sync_to_async(XCom.get_one)(
            run_id=self.run_id,
            key=RESULTS_KEY,
            task_id=self.task_id,
            dag_id=self.dag_id,
            map_index=-1,
        )
        return dict((value or {}).get("nodes") or {})


#: Pollers of the producers with triggers waiting in this triggerer, by (dag, run, task).
_PRODUCERS: dict[tuple[str, str, str], _Producer] = {}


class DbtNodeTrigger(BaseTrigger):
    """Waits for one dbt node's result (or its tests') and ends its task in the triggerer."""

    def __init__(
        self,
        node: str,
        producer_task_id: str,
        dag_id: str,
        tests: Sequence[str] | None = None,
        poke_interval: float = POKE_INTERVAL,
        run_id: str = "",
    ) -> None:
        super().__init__()
        self.node = node
        self.producer_task_id = producer_task_id
        self.dag_id = dag_id
        self.tests = tuple(tests) if tests is not None else None
        self.poke_interval = poke_interval
        self.run_id = run_id

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return TRIGGER_CLASS, {
            "node": self.node,
            "producer_task_id": self.producer_task_id,
            "dag_id": self.dag_id,
            "tests": list(self.tests) if self.tests is not None else None,
            "poke_interval": self.poke_interval,
            "run_id": self.run_id,
        }

    async def run(self) -> AsyncIterator[TriggerEvent]:
        # Started from the triggerer, the run is known only from the task instance.
        run_id = self.run_id or getattr(self.task_instance, "run_id", "")
        key = (self.dag_id, run_id, self.producer_task_id)
        producer = _PRODUCERS.get(key)
        if producer is None:
            producer = _PRODUCERS[key] = _Producer(*key, interval=self.poke_interval)
        result = await producer.wait(self.node, self.tests)
        self.log.info("%s", result.message)
        yield end_event(result)


def end_event(result: NodeResult) -> TriggerEvent:
    """The event that ends a node's task in the triggerer with the node's result."""
    if result.state == "success":
        return TaskSuccessEvent()
    if result.state == "skipped":
        return TaskSkippedEvent()
    return TaskFailedEvent()


def publish_node_results(task: Any, context: Any) -> None:
    """Give the Cosmos producer `task` a `NodeResultsPublisher` for this run (pre_execute)."""
    publisher = NodeResultsPublisher(context["ti"])
    task._dbt_runner_callbacks = [publisher.on_event]


def finish_in_triggerer(tasks: Iterable[Any]) -> int:
    """Make every Cosmos watcher sensor among `tasks` start and end in the triggerer.

    Returns how many tasks were changed. The sensors keep their operator class (what the UI
    shows) and their edges; they no longer wait for their upstream sensors (dbt orders the
    build), only for their node's result.
    """
    from cosmos.operators._watcher.base import BaseConsumerSensor
    from cosmos.operators.watcher import DbtProducerWatcherOperator

    tasks = list(tasks)
    producers = [t for t in tasks if isinstance(t, DbtProducerWatcherOperator)]
    tests_per_model: dict[str, list[str]] = producers[0].tests_per_model if producers else {}
    changed = 0
    for task in tasks:
        if not isinstance(task, BaseConsumerSensor):
            continue
        task.start_from_trigger = True
        task.trigger_rule = "always"
        # Where a sensor does run as a task (`airflow dags test`, which runs one task at a time
        # and ignores `start_from_trigger`, or a task cleared by hand), it checks the result
        # and, while the producer has not reported it, frees its slot and is rescheduled:
        # never waiting in place for a producer that may only run after it.
        task.deferrable = False
        task.mode = "reschedule"
        task.poke_interval = POKE_INTERVAL
        # A node's result does not change on a retry: the DAG run is what is retried.
        task.retries = 0
        tests = (
            sorted(tests_per_model.get(task.model_unique_id, [])) if task.is_test_sensor else None
        )
        task.start_trigger_args = StartTriggerArgs(
            trigger_cls=TRIGGER_CLASS,
            trigger_kwargs={
                "node": task.model_unique_id,
                "producer_task_id": task.producer_task_id,
                "dag_id": task.dag_id,
                "tests": tests,
                "poke_interval": POKE_INTERVAL,
            },
            next_method="execute_complete",
            timeout=NODE_TIMEOUT,
        )
        changed += 1
    return changed
