"""Names the Airflow components of a home give themselves."""

from __future__ import annotations

import os
import socket


def task_hostname() -> str:
    """Airflow's `hostname_callable` for Celery workers: `worker-N@host`, so task instances say
    which of several workers on one machine ran them (without it they all say the host)."""
    host = socket.getfqdn()
    worker = os.environ.get("DXW_WORKER_NAME")
    return f"{worker}@{host}" if worker else host
