"""Finding submission files and fingerprinting them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from dxw.submission.messages import printable
from dxw.submission.read import WRONG_CARRIERS

#: File endings that are submissions; a spreadsheet of another kind (.xls, .xlsb, .ods) is
#: picked up too, to be refused with advice; anything else in an inbox is left alone.
SUBMISSION_SUFFIXES = (".xlsx", ".json", ".zip", *WRONG_CARRIERS)
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def arrival_time(path: Path) -> datetime:
    """When a file arrived: its modification time, to the microsecond (an upload or a move into
    the inbox sets it, and nothing rewrites a file there), so the inbox order, not the order or
    the moment in which workers happen to process the files."""
    nanoseconds = path.stat().st_mtime_ns
    seconds, rest = divmod(nanoseconds, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=rest // 1000)


def display_name(name: str) -> str:
    """A file name as storable text: bytes that are not UTF-8 (which Python keeps as lone
    surrogates) are written as escapes, e.g. b"b\xe1o c\xe1o.json" -> "b\\xe1o c\\xe1o.json"."""
    try:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeError:
        return printable(name)


def is_submission(path: Path) -> bool:
    """A visible regular file whose ending names a carrier or a wrong spreadsheet carrier
    (feedback files excluded)."""
    name = path.name
    return (
        path.is_file()
        and not name.startswith((".", "~$"))
        and ".feedback." not in name
        and name.lower().endswith(SUBMISSION_SUFFIXES)
    )


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Submission files named directly or found under folders, in a stable order, once each."""
    seen: set[Path] = set()
    for root in paths:
        if root.is_dir():
            candidates: Iterable[Path] = sorted(p for p in root.rglob("*") if is_submission(p))
        else:
            candidates = [root]
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield candidate


def batches(items: list[str], max_batches: int, min_size: int = 1) -> list[list[str]]:
    """Split items into at most `max_batches` contiguous batches of near-equal size."""
    if not items:
        return []
    count = max(1, min(max_batches, len(items) // max(min_size, 1) or 1))
    size, extra = divmod(len(items), count)
    out, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        out.append(items[start:end])
        start = end
    return out
