-- Raw layer: accepted submissions exactly as validated, append-only, with lineage.
-- Every row table carries submission_id (-> raw.submissions: file name, SHA-256, carrier,
-- received/loaded timestamps) and source_row (the row the locality sees in its file).

create table raw.submissions (
    submission_id bigint generated always as identity primary key,
    file_name text not null,
    file_sha256 char(64) not null,
    file_size_bytes bigint not null,
    carrier text not null check (carrier in ('xlsx', 'json', 'zip')),
    received_at timestamptz not null,
    loaded_at timestamptz not null default clock_timestamp(),
    load_run_id text not null,
    locality_input text not null,
    locality_key text not null,
    locality_code text not null,
    locality_name text not null,
    locality_level text not null check (locality_level in ('province', 'district', 'commune')),
    locality_era text not null check (locality_era in ('legacy', '2025')),
    period text not null,
    period_type text not null check (period_type in ('year', 'half', 'quarter', 'month')),
    period_start date not null,
    period_end date not null,
    submitted_on date not null,
    agency text,
    contact_email text,
    framework text,
    warning_count integer not null default 0,
    constraint submissions_file_sha256_key unique (file_sha256)
);
create index submissions_locality_period_idx on raw.submissions (locality_key, period);

create table raw.indicators (
    submission_id bigint not null references raw.submissions,
    source_row integer not null,
    indicator_code text not null,
    value numeric not null,
    note text,
    primary key (submission_id, indicator_code)
);

create table raw.wifi_points (
    submission_id bigint not null references raw.submissions,
    source_row integer not null,
    point_id text not null,
    name text,
    commune text,
    latitude double precision,
    longitude double precision,
    status text not null check (status in ('active', 'inactive')),
    commissioned_on date,
    primary key (submission_id, point_id)
);

create table raw.network_links (
    submission_id bigint not null references raw.submissions,
    source_row integer not null,
    unit_name text not null,
    unit_level text check (unit_level in ('province', 'department', 'district', 'commune')),
    connected boolean not null,
    connected_on date,
    bandwidth_mbps numeric,
    primary key (submission_id, source_row)
);

create table raw.goals (
    submission_id bigint not null references raw.submissions,
    source_row integer not null,
    goal_code text not null,
    pillar text not null
        check (pillar in ('digital_government', 'digital_economy', 'digital_society')),
    status text not null check (status in ('achieved', 'in_progress', 'not_achieved')),
    framework text,
    title text,
    target_year integer,
    primary key (submission_id, source_row)
);
create unique index goals_key_idx on raw.goals (submission_id, coalesce(framework, ''), goal_code);

create table raw.goal_summary (
    submission_id bigint not null references raw.submissions,
    source_row integer not null,
    framework text,
    pillar text not null
        check (pillar in ('all', 'digital_government', 'digital_economy', 'digital_society')),
    goals_total integer not null,
    goals_achieved integer not null,
    goals_in_progress integer,
    reported_pct numeric,
    primary key (submission_id, source_row)
);
create unique index goal_summary_key_idx
    on raw.goal_summary (submission_id, coalesce(framework, ''), pillar);

-- Audit: the outcome of every file, and every problem found in it.
create table audit.load_log (
    load_id bigint generated always as identity primary key,
    run_id text not null,
    file_name text not null,
    file_sha256 char(64),
    file_size_bytes bigint,
    carrier text,
    outcome text not null check (outcome in ('accepted', 'duplicate', 'rejected')),
    submission_id bigint references raw.submissions,
    duplicate_of bigint references raw.submissions,
    supersedes bigint references raw.submissions,
    locality_code text,
    period text,
    error_count integer not null default 0,
    warning_count integer not null default 0,
    rows_loaded jsonb not null default '{}',
    started_at timestamptz not null,
    finished_at timestamptz not null default clock_timestamp()
);
create index load_log_sha_idx on audit.load_log (file_sha256);

create table audit.submission_problems (
    load_id bigint not null references audit.load_log,
    severity text not null check (severity in ('error', 'warning')),
    code text not null,
    table_name text,
    row_number integer,
    column_name text,
    value text,
    message_en text not null,
    message_vi text not null
);
create index submission_problems_load_idx on audit.submission_problems (load_id);

-- The sequence privileges of 001 cover sequences that exist then; grant the new ones.
grant usage, select on all sequences in schema raw, audit to dxw_loader;
grant select on all tables in schema raw to dxw_transformer;
