-- One definition of the submission that counts, for every reader: the loader's supersede
-- report, the raw data-quality gate's queries (expectations/queries/) and dbt (source
-- raw.counting_submissions). Held submissions (not released) and withdrawn ones never count.
--
-- raw.submissions.received_at is when the file arrived: its modification time when the
-- loader picked it up (inbox order), or the arrival time the caller passed; never when its
-- processing started (that is audit.load_log.started_at), so neither the order of processing
-- nor the number of workers changes which report counts.

-- Submissions an operator took out of the marts (`dxw withdraw ID`): they stay in raw as
-- history; withdrawing is final (send a new report to replace it).
create table audit.withdrawn_submissions (
    submission_id bigint primary key references raw.submissions,
    reason text not null,
    withdrawn_by text,
    withdrawn_at timestamptz not null default clock_timestamp()
);

-- Who released a hold (`dxw holds release ID`).
alter table audit.held_submissions add column released_by text;

-- Every accepted submission with its place in its locality and period: the ranking is the
-- latest submitted_on (the date on the report), then the latest received_at (arrival), then
-- the file's SHA-256 (an arbitrary but fixed order, so two files that arrived in the same
-- microsecond rank the same whatever order they were loaded in), then submission_id.
create view raw.submission_status as
with excluded as (

    select
        submission_id,
        'held' as status
    from audit.held_submissions
    where released_at is null
    union all
    select
        submission_id,
        'withdrawn' as status
    from audit.withdrawn_submissions

),

ranked as (

    select
        submissions.submission_id,
        submissions.locality_key,
        submissions.period,
        excluded.status as excluded_status,
        row_number() over (
            partition by submissions.locality_key, submissions.period
            order by
                excluded.status is not null,
                submissions.submitted_on desc,
                submissions.received_at desc,
                submissions.file_sha256 desc,
                submissions.submission_id desc
        ) as submission_rank
    from raw.submissions as submissions
    left join excluded on submissions.submission_id = excluded.submission_id

)

select
    ranked.submission_id,
    ranked.locality_key,
    ranked.period,
    coalesce(
        ranked.excluded_status,
        case when ranked.submission_rank = 1 then 'counting' else 'superseded' end
    ) as status,
    case when ranked.excluded_status is null then ranked.submission_rank end as submission_rank,
    counting.submission_id as counting_submission_id
from ranked
left join ranked as counting
    on
        ranked.locality_key = counting.locality_key
        and ranked.period = counting.period
        and counting.submission_rank = 1
        and counting.excluded_status is null;

comment on view raw.submission_status is
    'Every accepted submission with its status in its locality and period: counting, '
    'superseded, held (raw data-quality gate, not released) or withdrawn.';

-- The submission that counts, one row per locality and period (the rank-1 rows of
-- raw.submission_status). Written with `distinct on` rather than as those rank-1 rows: the
-- planner estimates a `distinct on` from the statistics of raw.submissions (about one row per
-- locality and period), and pushes a filter on locality_key and period down to the index.
create view raw.counting_submissions as
select distinct on (submissions.locality_key, submissions.period)
    submissions.submission_id,
    submissions.locality_key,
    submissions.locality_code,
    submissions.locality_name,
    submissions.locality_level,
    submissions.locality_era,
    submissions.period,
    submissions.period_type,
    submissions.period_start,
    submissions.period_end,
    submissions.submitted_on,
    submissions.received_at,
    submissions.loaded_at,
    submissions.framework,
    submissions.agency,
    submissions.file_name,
    submissions.file_sha256,
    submissions.carrier,
    submissions.load_run_id,
    count(*) over (
        partition by submissions.locality_key, submissions.period
    ) as submissions_for_period
from raw.submissions as submissions
where
    not exists (
        select from audit.held_submissions as held
        where held.submission_id = submissions.submission_id and held.released_at is null
    )
    and not exists (
        select from audit.withdrawn_submissions as withdrawn
        where withdrawn.submission_id = submissions.submission_id
    )
order by
    submissions.locality_key,
    submissions.period,
    submissions.submitted_on desc,
    submissions.received_at desc,
    submissions.file_sha256 desc,
    submissions.submission_id desc;

comment on view raw.counting_submissions is
    'The submission that counts for each locality and period (held and withdrawn ones excluded); '
    'submissions_for_period counts the eligible submissions of that locality and period.';

-- What a data-quality dashboard shows next to the marts: the submissions held now, without
-- anything personal (no contact, no agency, no file name).
create view marts.held_submissions as
select
    held.submission_id,
    submissions.locality_key,
    submissions.locality_code,
    submissions.locality_name,
    submissions.locality_level,
    submissions.locality_era,
    submissions.period,
    held.reason,
    held.held_at as held_since,
    held.validation_id
from audit.held_submissions as held
inner join raw.submissions as submissions on held.submission_id = submissions.submission_id
where held.released_at is null;

comment on view marts.held_submissions is
    'Submissions held out of the marts by a critical raw data-quality failure, until released; '
    'reason is <suite>:<expectation> (see marts.dq_results, same validation_id).';

-- dbt source freshness results are recorded beside the gates' (include/dxw/transform/freshness.py).
alter table audit.dq_results drop constraint dq_results_gate_check;
alter table audit.dq_results
    add constraint dq_results_gate_check check (gate in ('raw', 'marts', 'freshness'));

-- Readers of the views: the loader (supersede report, raw gate), the transformer (dbt), BI only
-- the marts view. The views run with their owner's rights, so the transformer needs nothing of
-- audit any more: its access to audit.held_submissions (004) is withdrawn, and the dbt views
-- that read it directly are dropped (dbt recreates the models that remain at the next build).
grant select on raw.submission_status, raw.counting_submissions to dxw_loader, dxw_transformer;
grant select, insert on audit.withdrawn_submissions to dxw_loader;
grant select on marts.held_submissions to dxw_bi;
do $$
begin
    -- dbt's former staging view of the holds, and the intermediate views built on it.
    drop view if exists staging.stg_audit__held_submissions cascade;
exception when insufficient_privilege then
    raise notice 'staging.stg_audit__held_submissions is obsolete: drop it as its owner';
end
$$;
revoke all on audit.held_submissions from dxw_transformer;
revoke usage on schema audit from dxw_transformer;
