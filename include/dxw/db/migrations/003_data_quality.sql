-- Data quality: the outcome of every expectation of every gate run (Great Expectations
-- checkpoints of include/dxw/quality, suites in expectations/), and the view BI reads.
-- The loader role writes the results of both gates (raw and marts); nobody else writes them.

create table audit.dq_results (
    dq_result_id bigint generated always as identity primary key,
    -- the Airflow run id (or cli__<timestamp> for `dxw validate`)
    run_id text not null,
    -- one execution of one gate (a retried task is a new validation)
    validation_id uuid not null,
    gate text not null check (gate in ('raw', 'marts')),
    checkpoint text not null,
    suite text not null,
    -- meta.name of the expectation in its suite (expectations/suites/<suite>.json)
    expectation text not null,
    expectation_type text not null,
    column_name text,
    description text,
    severity text not null check (severity in ('critical', 'warning', 'info')),
    success boolean not null,
    observed_value jsonb,
    element_count bigint,
    unexpected_count bigint,
    unexpected_percent numeric,
    -- up to 20 unexpected rows (identifying columns and the offending values)
    unexpected_sample jsonb not null default '[]',
    -- the error when the expectation could not be evaluated (it then counts as failed)
    exception_message text,
    -- what the gate looked at, e.g. {"submission_ids": [...]} for the raw gate
    scope jsonb not null default '{}',
    checked_at timestamptz not null default clock_timestamp()
);
create index dq_results_checked_at_idx on audit.dq_results (checked_at);
create index dq_results_validation_idx on audit.dq_results (validation_id);

-- What dashboards read next to the data. Submissions and feedback are never joined in, so
-- nothing personal (contact e-mails) can appear; the gates drop such keys from the samples too.
create view marts.dq_results as
with latest as (
    select distinct on (gate) gate, validation_id
    from audit.dq_results
    order by gate, checked_at desc
)
select
    r.dq_result_id,
    r.run_id,
    r.validation_id,
    r.gate,
    r.suite,
    r.expectation,
    r.expectation_type,
    r.column_name,
    r.description,
    r.severity,
    r.success,
    r.observed_value,
    r.element_count,
    r.unexpected_count,
    r.unexpected_percent,
    r.unexpected_sample,
    r.exception_message is not null as raised_exception,
    r.checked_at,
    latest.validation_id is not null as is_latest
from audit.dq_results as r
left join latest on r.gate = latest.gate and r.validation_id = latest.validation_id;

comment on view marts.dq_results is
    'Data-quality results of the Great Expectations gates (raw, marts), one row per expectation '
    'per gate run; is_latest marks the latest run of each gate.';

grant select, insert on audit.dq_results to dxw_loader;
grant usage, select on all sequences in schema audit to dxw_loader;
grant select on marts.dq_results to dxw_bi;
