"""Least privilege and secrets on the real embedded warehouse.

The BI role can select from marts and nothing else, and cannot create anything even after
switching its read-only default off; only the owner is a superuser; the server listens on
127.0.0.1 with SCRAM passwords and no `trust` rule; files holding secrets are private and
nothing else under $DXW_HOME holds a password; commands never print one unless asked
(`dxw db url`); feedback files cannot run as spreadsheet formulas.

The same privilege and secret scans run on a warehouse whose marts were built by the real
pipeline in tests/test_pipeline_run.py (after `dxw run`).
"""

from __future__ import annotations

import contextlib
import csv
import json
import socket
import subprocess
from pathlib import Path

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.embedded import EmbeddedPostgres
from dxw.db.urls import redact, warehouse_url
from dxw.submission import Feedback, write_feedback
from dxw.submission.messages import Quoted, problem

from .data.warehouse_checks import (
    CLI,
    FORMULA_START,
    mode,
    readable_relations,
    scan_for_secrets,
)
from .unit import submission_builders as b

#: What each role may select from, by schema.
ALLOWED_SCHEMAS = {
    "dxw_bi": {"marts"},
    "dxw_loader": {"raw", "audit"},
    # marts_build: where dbt writes the marts before the gate (write, audit, publish);
    # marts_previous: where a publication parks the table it replaces, inside its transaction.
    "dxw_transformer": {"raw", "staging", "intermediate", "marts", "marts_build", "marts_previous"},
}
#: Single relations outside those schemas (none: the transformer learns of holds and
#: withdrawals only through the view raw.counting_submissions, and reads nothing of audit).
ALLOWED_RELATIONS: dict[str, set[tuple[str, str]]] = {}


@pytest.fixture(scope="module")
def probe_mart(warehouse: Settings) -> str:
    """A mart made by the transformer (as dbt makes them), so BI has something to read."""
    with psycopg.connect(warehouse_url("transformer", warehouse), autocommit=True) as conn:
        conn.execute("drop table if exists marts.security_probe")
        conn.execute("create table marts.security_probe as select 1 as n, 'x'::text as label")
    return "marts.security_probe"


@pytest.mark.parametrize("role", sorted(ALLOWED_SCHEMAS))
def test_each_role_selects_only_from_its_schemas(
    warehouse: Settings, probe_mart: str, role: str
) -> None:
    readable = readable_relations(warehouse_url("owner", warehouse), role)
    extra = ALLOWED_RELATIONS.get(role, set())
    outside = [r for r in readable if r[0] not in ALLOWED_SCHEMAS[role] and r[:2] not in extra]
    assert outside == [], f"{role} can select from {outside}"
    if role == "dxw_bi":
        assert ("marts", "security_probe", "r") in readable


def test_bi_cannot_create_or_write_even_without_its_read_only_default(
    warehouse: Settings, probe_mart: str
) -> None:
    with psycopg.connect(warehouse_url("bi", warehouse), autocommit=True) as conn:
        assert conn.execute("show default_transaction_read_only").fetchone() == ("on",)
        conn.execute("set default_transaction_read_only = off")
        for statement in (
            "create temp table bi_scratch (n int)",
            "create function pg_temp.f() returns int language sql as 'select 1'",
            "insert into marts.security_probe values (2, 'y')",
            "update marts.security_probe set n = 3",
            "delete from marts.security_probe",
            "truncate marts.security_probe",
            "create table marts.bi_made (n int)",
            "create schema bi_schema",
            "select * from raw.submissions",
            "select * from audit.load_log",
            "select pg_read_file('PG_VERSION')",
            "copy (select 1) to '/tmp/dxw-bi-leak'",
            "set role dxw_loader",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        assert conn.execute("select count(*) from marts.security_probe").fetchone() == (1,)


def test_only_the_owner_is_powerful(warehouse: Settings) -> None:
    with psycopg.connect(warehouse_url("owner", warehouse)) as conn:
        roles = conn.execute(
            "select rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication"
            " from pg_roles where rolname like 'dxw%%' order by 1"
        ).fetchall()
    powers = {name: any(flags) for name, *flags in roles}
    assert powers.pop("dxw") is True
    assert powers and not any(powers.values()), powers


def _listening(port: int) -> list[str]:
    """Local addresses with a socket listening on `port` (from /proc/net/tcp and tcp6)."""
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
                out.append(address)
    return out


def test_server_listens_on_loopback_only(warehouse: Settings) -> None:
    port = EmbeddedPostgres(warehouse).port()
    assert port
    with psycopg.connect(warehouse_url("owner", warehouse)) as conn:
        assert conn.execute("show listen_addresses").fetchone() == ("127.0.0.1",)
    assert _listening(port) == ["0100007F"], _listening(port)  # 127.0.0.1, no IPv6, no 0.0.0.0
    others = {"127.0.1.1", "127.0.0.2"}
    with contextlib.suppress(OSError):
        hostname = socket.gethostname()
        others |= {a[4][0] for a in socket.getaddrinfo(hostname, None, socket.AF_INET)}
    for address in sorted(others - {"127.0.0.1"}):
        with socket.socket() as sock:
            sock.settimeout(2)
            assert sock.connect_ex((address, port)) != 0, f"reachable on {address}"


def test_authentication_is_scram_and_never_trust(warehouse: Settings) -> None:
    with psycopg.connect(warehouse_url("owner", warehouse)) as conn:
        rules = conn.execute(
            "select type, address, auth_method from pg_hba_file_rules where error is null"
        ).fetchall()
        assert conn.execute("show password_encryption").fetchone() == ("scram-sha-256",)
        weak = conn.execute(
            "select rolname from pg_authid where rolcanlogin and (rolpassword is null"
            " or rolpassword not like 'SCRAM-SHA-256$%%')"
        ).fetchall()
    assert rules and {method for _, _, method in rules} == {"scram-sha-256"}, rules
    assert {address for kind, address, _ in rules if kind != "local"} <= {"127.0.0.1", "::1"}
    assert weak == [], f"login roles without a SCRAM verifier: {weak}"


def test_secret_files_are_private_and_alone(warehouse: Settings) -> None:
    home = warehouse.home
    assert mode(home / "secrets") == 0o700
    assert mode(home / "secrets" / "roles.json") == 0o600
    assert mode(home / "pg" / "data") == 0o700
    assert not (home / "pg" / "initdb.pw").exists(), "the initdb password file is removed"
    passwords = json.loads((home / "secrets" / "roles.json").read_text())
    roots = [p for p in home.iterdir() if p.name not in ("secrets", "pg")]
    assert scan_for_secrets([*roots, home / "pg" / "log"], passwords) == []


def test_commands_print_no_password_unless_asked(
    warehouse: Settings, dxw_env: dict[str, str], tmp_path: Path
) -> None:
    passwords = json.loads((warehouse.home / "secrets" / "roles.json").read_text())
    good = b.write_submission(b.minimal(period="2009-07", locality="Điện Biên"), "json", tmp_path)
    (tmp_path / "bad.json").write_text('{"submission": {"period": "x"}}')
    outputs = []
    for args in (
        ["ingest", str(tmp_path)],
        ["db", "status"],
        ["db", "init"],
        ["ingest", str(good)],
    ):
        done = subprocess.run(
            [*CLI, *args], env=dxw_env, capture_output=True, text=True, timeout=300
        )
        outputs.append(done.stdout + done.stderr)
    leaks = [role for role, pw in passwords.items() for text in outputs if pw in text]
    assert leaks == [], leaks
    url = subprocess.run(
        [*CLI, "db", "url", "--role", "bi"], env=dxw_env, capture_output=True, text=True, timeout=60
    ).stdout.strip()
    assert passwords["bi"] in url, "`dxw db url` prints the password by design"
    assert passwords["bi"] not in redact(url) and ":***@" in redact(url)


def test_feedback_cells_never_run_as_formulas(tmp_path: Path) -> None:
    values = [
        '=HYPERLINK("http://evil.example","x")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1)",
        "\t=1",
        "\r=1",
        "=1\x00",
        "ok",
    ]
    problems = [
        problem("invalid_number", table=v, column=v, value=v, col=Quoted(v), text=Quoted(v))
        for v in values
    ] + [
        problem(
            "percent_looks_like_fraction",
            value="-1",
            what="=x",
            text="=y",
            reading=-1,
            percent=-100,
        )
    ]
    rejected = Feedback("=evil|<b>name.xlsx", "rejected", problems)
    md_path, csv_path = write_feedback(rejected, tmp_path)
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "severity"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell
    assert rows[1][4] == '\'=HYPERLINK("http://evil.example","x")', "the value is kept, inert"
    assert "=1\\x00" in rows[7][4], "a NUL is written visibly, never raw"
    text = md_path.read_text(encoding="utf-8")
    assert "<b>" not in text and "&lt;b&gt;" in text
    assert all(line.count("|") - line.count("\\|") in (0, 9, 4) for line in text.splitlines())


def test_the_secret_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The scanner the tests above rely on: a password in any of its written forms, or a URL
    with a password, is found wherever it sits; redacted URLs are not."""
    passwords = {"bi": "p@ss/wörd+1", "loader": "Zk3-x"}
    planted = {
        "plain.log": b"connecting with p@ss/w\xc3\xb6rd+1 ...",
        "quoted.html": b"href='?pw=p%40ss%2Fw%C3%B6rd%2B1'",
        "escaped.json": b'{"pw": "p@ss/w\\u00f6rd+1"}',
        "deep/er/url.txt": b"dsn=postgresql://dxw_owner:hunter2@127.0.0.1:5432/dxw",
        "sqlalchemy.cfg": b"sql_alchemy_conn = postgresql+psycopg2://dxw:s3cret@localhost/x",
        "loader.log": b"password Zk3-x",
    }
    clean = {
        "redacted.log": b"postgresql://dxw_bi:***@127.0.0.1:5432/dxw",
        "quoted-redacted.log": b"postgresql://dxw_bi:%2A%2A%2A@127.0.0.1:5432/dxw",
        "nothing.txt": b"bi loader owner",
    }
    for name, data in {**planted, **clean}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    found = scan_for_secrets([tmp_path], passwords)
    flagged = {line.split(":", 1)[0].removeprefix(f"{tmp_path}/") for line in found}
    assert flagged == set(planted), found
