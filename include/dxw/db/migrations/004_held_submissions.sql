-- Submissions the raw data-quality gate held back: they stay in raw (history, lineage) but the
-- marts ignore them until released (`update audit.held_submissions set released_at = now()`,
-- as the owner) or superseded by a corrected report.
create table audit.held_submissions (
    submission_id bigint primary key references raw.submissions,
    validation_id uuid not null,
    reason text not null,
    held_at timestamptz not null default clock_timestamp(),
    released_at timestamptz
);

-- The loader (who runs the raw gate) writes it; the transformer reads only this audit table.
grant select, insert, update on audit.held_submissions to dxw_loader;
grant usage on schema audit to dxw_transformer;
grant select on audit.held_submissions to dxw_transformer;
