-- raw.submissions: one row per submission in scope (those the ingest run loaded), with its
-- dates against today and its receipt, the rows it loaded per table, and whether a report of
-- the same locality and period loaded before it already outranks it (so it never counts).
-- {{ submission_ids }} is replaced with the submission ids in scope (integers only).
with scope as (

    select
        submission_id,
        locality_key,
        locality_code,
        locality_name,
        locality_level,
        period,
        period_start,
        submitted_on,
        received_at
    from raw.submissions
    where submission_id in ({{ submission_ids }})

),

rows_loaded as (

    select
        scope.submission_id,
        (select count(*) from raw.indicators as t where t.submission_id = scope.submission_id)
            as indicator_rows,
        (select count(*) from raw.wifi_points as t where t.submission_id = scope.submission_id)
            as wifi_point_rows,
        (select count(*) from raw.network_links as t where t.submission_id = scope.submission_id)
            as network_link_rows,
        (select count(*) from raw.goals as t where t.submission_id = scope.submission_id)
            as goal_rows,
        (select count(*) from raw.goal_summary as t where t.submission_id = scope.submission_id)
            as goal_summary_rows
    from scope

)

select
    scope.submission_id,
    scope.locality_code,
    scope.locality_name,
    scope.locality_level,
    scope.period,
    scope.period_start,
    scope.submitted_on,
    scope.period_start - current_date as days_until_period_start,
    scope.submitted_on - scope.received_at::date as days_submitted_after_received,
    rows_loaded.indicator_rows,
    rows_loaded.wifi_point_rows,
    rows_loaded.network_link_rows,
    rows_loaded.goal_rows,
    rows_loaded.goal_summary_rows,
    rows_loaded.indicator_rows + rows_loaded.wifi_point_rows + rows_loaded.network_link_rows
    + rows_loaded.goal_rows + rows_loaded.goal_summary_rows as data_rows,
    outranked_by.submission_id as outranked_by_submission_id,
    outranked_by.submission_id is null as counts_for_period
from scope
inner join rows_loaded on scope.submission_id = rows_loaded.submission_id
left join lateral (
    -- An earlier-loaded report of the same locality and period that wins the ranking of the
    -- marts (latest submitted_on, then received_at): the new file arrived already superseded.
    select earlier.submission_id
    from raw.submissions as earlier
    where
        earlier.locality_key = scope.locality_key
        and earlier.period = scope.period
        and earlier.submission_id < scope.submission_id
        and (earlier.submitted_on, earlier.received_at)
        > (scope.submitted_on, scope.received_at)
    order by earlier.submitted_on desc, earlier.received_at desc, earlier.submission_id desc
    limit 1
) as outranked_by on true
