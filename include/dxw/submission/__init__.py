"""The submission format: reading, normalising, validating, and the feedback (pure Python).

A submission is one locality's digital-transformation report for one period, in one file:
`.xlsx` (a sheet per table), `.json` (a key per table) or `.zip` (a CSV per table).
See docs/submission-format.md for the contract. The modules, in the order data flows:

- `spec`: the tables, columns, choices, indicator catalog and limits;
- `read` (with `containers`, the guards of zip/xlsx containers): a file -> `RawSubmission`;
- `values`: cells -> typed values (numbers as meant, dates, yes/no, choices);
- `validate` (with `rules`, the table rules and cross-checks): -> `ValidatedSubmission`;
- `messages`: the one catalog of bilingual messages, `Problem`;
- `feedback`: what the sender gets back for every file;
- `writer`: submissions, templates and the JSON schema as files; `periods`: reporting periods.
"""

from dxw.submission.feedback import Feedback, Hold, write_feedback
from dxw.submission.messages import Problem, Severity
from dxw.submission.periods import Period, parse_period
from dxw.submission.read import RawSubmission, RawTable, read_submission
from dxw.submission.spec import CARRIERS, TABLES, ColumnSpec, ReadLimits, TableSpec
from dxw.submission.validate import (
    Locality,
    LocalityResolution,
    Resolver,
    ValidatedSubmission,
    validate,
)
from dxw.submission.writer import write_template

__all__ = [
    "CARRIERS",
    "TABLES",
    "ColumnSpec",
    "Feedback",
    "Hold",
    "Locality",
    "LocalityResolution",
    "Period",
    "Problem",
    "RawSubmission",
    "RawTable",
    "ReadLimits",
    "Resolver",
    "Severity",
    "TableSpec",
    "ValidatedSubmission",
    "parse_period",
    "read_submission",
    "validate",
    "write_feedback",
    "write_template",
]
