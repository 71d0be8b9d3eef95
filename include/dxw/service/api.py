"""A small client of Airflow's REST API (v2): health, trigger a DAG run, follow it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from dxw.config import Settings

#: The user `airflow api-server`'s simple auth manager creates (its password is generated).
ADMIN_USER = "admin"
FINISHED = frozenset({"success", "failed"})


class AirflowApiError(RuntimeError):
    """The API server answered with an error, or not at all."""


def passwords_file(config: Settings) -> Path:
    """Where the simple auth manager writes the generated password of the admin user."""
    return config.airflow_home / "simple_auth_manager_passwords.json.generated"


def admin_password(config: Settings) -> str:
    """The generated admin password (the API server writes it when it first starts)."""
    try:
        return str(json.loads(passwords_file(config).read_text())[ADMIN_USER])
    except (OSError, ValueError, KeyError) as error:
        raise AirflowApiError(
            f"no admin password in {passwords_file(config)}: is the API server running?"
        ) from error


@dataclass(frozen=True, slots=True)
class DagRun:
    """The fields of a DAG run this project reads."""

    dag_id: str
    run_id: str
    state: str
    run_type: str
    queued_at: str | None
    start_date: str | None
    end_date: str | None

    @classmethod
    def parse(cls, data: dict[str, Any]) -> DagRun:
        return cls(
            dag_id=data["dag_id"],
            run_id=data["dag_run_id"],
            state=data["state"],
            run_type=data.get("run_type", ""),
            queued_at=data.get("queued_at"),
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
        )

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


class AirflowApi:
    """Authenticated calls to one API server on loopback."""

    def __init__(self, base_url: str, config: Settings, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.config = config
        self.client = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._token: str | None = None

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> AirflowApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------------
    def health(self) -> dict[str, Any] | None:
        """`/api/v2/monitor/health`, or None while the server does not answer."""
        try:
            response = self.client.get("/api/v2/monitor/health", timeout=5.0)
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        data: dict[str, Any] = response.json()
        return data

    def _authorise(self) -> str:
        if self._token is None:
            response = self.client.post(
                "/auth/token",
                json={"username": ADMIN_USER, "password": admin_password(self.config)},
            )
            if response.status_code not in (200, 201):
                raise AirflowApiError(f"login refused: HTTP {response.status_code}")
            self._token = str(response.json()["access_token"])
        return self._token

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the API; returns the decoded JSON; raises AirflowApiError on any failure."""
        headers = {"Authorization": f"Bearer {self._authorise()}"}
        try:
            response = self.client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise AirflowApiError(f"{method} {path}: {error}") from error
        if response.status_code >= 400:
            raise AirflowApiError(
                f"{method} {path}: HTTP {response.status_code} {response.text[:500]}"
            )
        return response.json() if response.content else None

    # -- DAGs and runs ------------------------------------------------------------------------
    def dag(self, dag_id: str) -> dict[str, Any] | None:
        """The DAG as the API knows it, or None until the DAG processor has parsed it."""
        try:
            found: dict[str, Any] = self.request("GET", f"/api/v2/dags/{dag_id}")
        except AirflowApiError as error:
            if "HTTP 404" in str(error):
                return None
            raise
        return found

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.request("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": paused})

    def trigger(
        self, dag_id: str, note: str | None = None, conf: dict[str, Any] | None = None
    ) -> DagRun:
        """Start a manual run now; returns it (queued)."""
        body: dict[str, Any] = {"logical_date": None, "conf": conf or {}}
        if note:
            body["note"] = note
        return DagRun.parse(self.request("POST", f"/api/v2/dags/{dag_id}/dagRuns", json=body))

    def dag_run(self, dag_id: str, run_id: str) -> DagRun:
        return DagRun.parse(self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}"))

    def dag_runs(self, dag_id: str, limit: int = 20) -> list[DagRun]:
        """The latest runs of a DAG, newest first."""
        data = self.request(
            "GET",
            f"/api/v2/dags/{dag_id}/dagRuns",
            params={"order_by": "-run_after", "limit": limit},
        )
        return [DagRun.parse(run) for run in data["dag_runs"]]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        data = self.request(
            "GET",
            f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
            params={"limit": 1000},
        )
        return list(data["task_instances"])

    def asset_events(self, source_dag_id: str, source_run_id: str) -> list[dict[str, Any]]:
        """Asset events a run emitted, each with the DAG runs it created (`created_dagruns`)."""
        data = self.request(
            "GET",
            "/api/v2/assets/events",
            params={"source_dag_id": source_dag_id, "source_run_id": source_run_id},
        )
        return list(data["asset_events"])

    def wait_for_dag(self, dag_id: str, timeout: float = 120.0) -> dict[str, Any]:
        """Wait until the DAG processor has parsed `dag_id`."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.dag(dag_id)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise AirflowApiError(f"DAG {dag_id} did not appear within {timeout:.0f} s")
            time.sleep(1.0)

    def wait_for_run(
        self,
        dag_id: str,
        run_id: str,
        timeout: float = 900.0,
        on_poll: Callable[[DagRun], None] | None = None,
    ) -> DagRun:
        """Poll a run until it succeeds or fails (or `timeout` passes)."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.dag_run(dag_id, run_id)
            if on_poll is not None:
                on_poll(run)
            if run.finished:
                return run
            if time.monotonic() > deadline:
                raise AirflowApiError(
                    f"{dag_id} run {run_id} still {run.state} after {timeout:.0f} s"
                )
            time.sleep(1.0)
