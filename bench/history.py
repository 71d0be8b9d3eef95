"""Loading years of history fast: generated documents straight into `raw` with the loader's own
`load_submission` (the same header, COPY and supersede logic as `dxw ingest`), skipping the
files and their parsing. Two worker processes, one per core."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

from bench import generate


def _rows(doc: dict[str, Any]) -> dict[str, list[tuple[int, tuple[object, ...]]]]:
    from dxw.ingest.loader import RAW_COLUMNS

    out = {}
    for table, columns in RAW_COLUMNS.items():
        rows = doc.get(table)
        if rows:
            out[table] = [
                (number, tuple(row.get(c) for c in columns))
                for number, row in enumerate(rows, start=2)
            ]
    return out


def _is_faulty(doc: dict[str, Any]) -> bool:
    period = str(doc["submission"]["period"])
    points = doc.get("wifi_points") or []
    return "-H3" in period or any(p["latitude"] == 35.6 for p in points[:1])


def _load_chunk(url: str, period: str, keys: Sequence[str], seed: int, small: bool) -> int:
    import psycopg

    from dxw.ingest.loader import Header, Lineage, load_submission
    from dxw.localities import registry
    from dxw.submission.periods import parse_period

    span = parse_period(period)
    loaded = 0
    now = datetime.now(UTC)
    with psycopg.connect(url, autocommit=True) as conn:
        for key in keys:
            loc = registry().by_key(key)
            doc = generate.document(loc, period, seed, small=small)
            if _is_faulty(doc):
                continue  # a faulty file would have been rejected
            head = doc["submission"]
            carrier = generate.carrier_of(generate.rng_for("carrier", seed, loc.key, period))
            header = Header(
                locality_input=str(head["locality"]),
                locality_key=loc.key,
                locality_code=loc.code,
                locality_name=loc.name,
                locality_level=loc.level,
                locality_era=loc.era,
                period=span.code,
                period_type=span.type,
                period_start=span.start,
                period_end=span.end,
                submitted_on=head["submitted_on"],
                agency=head["agency"],
                contact_email=head["contact_email"],
                framework=head["framework"],
                warning_count=0,
            )
            lineage = Lineage(
                file_name=f"{loc.level}_{loc.code}_{period}.{carrier}",
                file_sha256=generate.fingerprint((seed, key, period, small)),
                file_size_bytes=0,
                carrier=carrier,
                received_at=now,
                run_id=f"bench-history-{period}",
            )
            result = load_submission(conn, header, lineage, _rows(doc))
            loaded += result.submission_id is not None
    return loaded


def load_history(
    url: str, periods: Sequence[str], files: int | None, seed: int, *, small: bool = False
) -> int:
    """Load one cycle per period (the units of `cycle_units(files)`); returns submissions."""
    units = [u.key for u in generate.cycle_units(files)]
    chunks = [units[i::8] for i in range(8)]
    total = 0
    with ProcessPoolExecutor(max_workers=2) as pool:
        for period in periods:
            futures = [pool.submit(_load_chunk, url, period, c, seed, small) for c in chunks]
            total += sum(f.result() for f in futures)
    return total
