-- raw.wifi_points: one row per submission in scope that lists Wi-Fi points: how many it lists
-- (and how many active ones were commissioned after the period ended) next to the listing of
-- the same locality's previous period (latest earlier period whose counting report listed
-- points; the report that counts is the warehouse's one rule, raw.counting_submissions).
-- {{ submission_ids }} is replaced with the submission ids in scope (integers only).
with scope as (

    select submission_id, locality_key, locality_code, locality_name, period, period_start,
        period_end
    from raw.submissions
    where submission_id in ({{ submission_ids }})

),

counting as (

    select
        submission_id,
        locality_key,
        period,
        period_start,
        period_end
    from raw.counting_submissions

),

listed as (

    select
        points.submission_id,
        count(*) as points_listed,
        count(*) filter (where points.status = 'active') as active_points_listed
    from scope
    inner join raw.wifi_points as points on scope.submission_id = points.submission_id
    group by points.submission_id

),

late as (

    select
        scope.submission_id,
        count(*) as active_points_commissioned_after_period
    from scope
    inner join raw.wifi_points as points on scope.submission_id = points.submission_id
    where points.status = 'active' and points.commissioned_on > scope.period_end
    group by scope.submission_id

)

select
    scope.submission_id,
    scope.locality_code,
    scope.locality_name,
    scope.period,
    listed.points_listed,
    listed.active_points_listed,
    coalesce(late.active_points_commissioned_after_period, 0)
        as active_points_commissioned_after_period,
    previous.period as previous_period,
    previous.points_listed as points_listed_previous,
    round(listed.points_listed::numeric / nullif(previous.points_listed, 0), 3)
        as points_listed_ratio
from scope
inner join listed on scope.submission_id = listed.submission_id
left join late on scope.submission_id = late.submission_id
-- The previous listing is found and counted with index look-ups of this locality's reports
-- only, so the query's work follows the submissions in scope, not the size of the history.
left join lateral (
    select
        counting.period,
        (
            select count(*) from raw.wifi_points as earlier
            where earlier.submission_id = counting.submission_id
        ) as points_listed
    from counting
    where
        counting.locality_key = scope.locality_key
        and counting.period_end < scope.period_start
        and exists (
            select from raw.wifi_points as earlier
            where earlier.submission_id = counting.submission_id
        )
    order by counting.period_end desc, counting.period_start asc
    limit 1
) as previous on true
