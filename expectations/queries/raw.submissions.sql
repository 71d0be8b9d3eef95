-- raw.submissions: one row per submission in scope (those the ingest run loaded), with its
-- dates against today and its arrival, the rows it loaded per table, and whether it is the
-- report that counts for its locality and period (raw.counting_submissions, the warehouse's
-- one rule), else which one does.
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
    nullif(counting.submission_id, scope.submission_id) as outranked_by_submission_id,
    coalesce(counting.submission_id = scope.submission_id, false) as counts_for_period
from scope
inner join rows_loaded on scope.submission_id = rows_loaded.submission_id
left join raw.counting_submissions as counting
    on scope.locality_key = counting.locality_key and scope.period = counting.period
