"""Held and withdrawn submissions: list, release, withdraw (`dxw holds`, `dxw withdraw`).

A submission held by the raw gate (`audit.held_submissions`) or withdrawn by an operator
(`audit.withdrawn_submissions`) stays in `raw` as history but never counts
(`raw.counting_submissions`), so the next build takes it out of every mart and brings back the
report it had replaced, if any. Releasing a hold lets it count again at the next build. Every
change is made as the loader role, which owns the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg


class HoldError(ValueError):
    """The submission cannot be released or withdrawn (unknown, not held, already withdrawn)."""


@dataclass(frozen=True, slots=True)
class HeldSubmission:
    """One held or withdrawn submission, as `dxw holds` shows it."""

    submission_id: int
    status: str  # held | released | withdrawn
    locality_code: str
    locality_name: str
    period: str
    file_name: str
    reason: str
    since: datetime
    by: str | None

    def line(self) -> str:
        """One human line."""
        who = f" by {self.by}" if self.by else ""
        return (
            f"#{self.submission_id} {self.status:9} {self.locality_name} ({self.locality_code}) "
            f"{self.period}  {self.file_name}  since {self.since:%Y-%m-%d %H:%M}{who}: "
            f"{self.reason}"
        )


_LIST = """
select held.submission_id,
    case when held.released_at is null then 'held' else 'released' end,
    s.locality_code, s.locality_name, s.period, s.file_name, held.reason,
    coalesce(held.released_at, held.held_at), held.released_by
from audit.held_submissions as held
join raw.submissions as s on s.submission_id = held.submission_id
where held.released_at is null or %(all)s
union all
select w.submission_id, 'withdrawn', s.locality_code, s.locality_name, s.period, s.file_name,
    w.reason, w.withdrawn_at, w.withdrawn_by
from audit.withdrawn_submissions as w
join raw.submissions as s on s.submission_id = w.submission_id
where %(all)s
order by 8, 1
"""


def list_holds(url: str, everything: bool = False) -> list[HeldSubmission]:
    """Submissions held now; with `everything`, also released holds and withdrawals."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(_LIST, {"all": everything}).fetchall()
    return [HeldSubmission(*row) for row in rows]


def _status(conn: psycopg.Connection, submission_id: int) -> tuple[str, int | None]:
    """(status, counting submission id) of a submission in `raw.submission_status`."""
    row = conn.execute(
        "select status, counting_submission_id from raw.submission_status where submission_id = %s",
        (submission_id,),
    ).fetchone()
    if row is None:
        raise HoldError(f"no submission #{submission_id} in raw.submissions")
    return str(row[0]), row[1]


def release(url: str, submission_id: int, released_by: str | None) -> str:
    """Release a held submission; it counts again at the next build. Returns a summary line."""
    with psycopg.connect(url) as conn:
        _status(conn, submission_id)
        released = conn.execute(
            "update audit.held_submissions set released_at = clock_timestamp(), released_by = %s"
            " where submission_id = %s and released_at is null returning reason",
            (released_by, submission_id),
        ).fetchone()
        if released is None:
            raise HoldError(f"submission #{submission_id} is not held")
        status, counting = _status(conn, submission_id)
    return _summary(submission_id, f"released (was held for {released[0]})", status, counting)


def withdraw(url: str, submission_id: int, reason: str, withdrawn_by: str | None) -> str:
    """Withdraw a submission for good: it stays in raw, out of every mart from the next build."""
    if not reason.strip():
        raise HoldError("a withdrawal needs a reason")
    with psycopg.connect(url) as conn:
        before, _ = _status(conn, submission_id)
        if before == "withdrawn":
            raise HoldError(f"submission #{submission_id} is already withdrawn")
        conn.execute(
            "insert into audit.withdrawn_submissions (submission_id, reason, withdrawn_by)"
            " values (%s, %s, %s)",
            (submission_id, reason.strip(), withdrawn_by),
        )
        status, counting = _status(conn, submission_id)
    return _summary(submission_id, f"withdrawn (was {before})", status, counting)


def _summary(submission_id: int, what: str, status: str, counting: int | None) -> str:
    if counting == submission_id:
        now = "it counts for its locality and period from the next build"
    elif counting is None:
        now = "no report of its locality and period counts now"
    else:
        now = f"submission #{counting} counts for its locality and period from the next build"
    return f"#{submission_id} {what}: {status}; {now}"
