"""The submission format: reading, validating, templating and feedback (pure Python).

A submission is one locality's digital-transformation report for one period, in one file:
`.xlsx` (a sheet per table), `.json` (a key per table) or `.zip` (a CSV per table).
See docs/submission-format.md for the contract.
"""

from dxw.submission.feedback import write_feedback
from dxw.submission.limits import ReadLimits
from dxw.submission.locality import Locality, LocalityResolution, Resolver
from dxw.submission.model import ValidatedSubmission
from dxw.submission.periods import Period, parse_period
from dxw.submission.problems import Problem, Severity
from dxw.submission.raw import RawSubmission, RawTable
from dxw.submission.reader import read_submission
from dxw.submission.tables import CARRIERS, TABLES, ColumnSpec, TableSpec
from dxw.submission.template import write_template
from dxw.submission.validate import validate

__all__ = [
    "CARRIERS",
    "TABLES",
    "ColumnSpec",
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
