-- raw.indicators: one row per submission in scope, its headline stock figures next to the
-- same locality's figures of its previous period. The previous period of a figure is the
-- latest period of the same locality (same locality_key: code, level and era) that ended
-- before this one started and reported that figure (of two ending the same day, the longer,
-- as in the marts), taken from the report that counts for it (raw.counting_submissions, the
-- warehouse's one rule: held and withdrawn reports never count).
-- {{ submission_ids }} is replaced with the submission ids in scope (integers only).
with scope as (

    select submission_id, locality_key, locality_code, locality_name, period, period_start
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

history as (

    select
        counting.locality_key,
        counting.period,
        counting.period_start,
        counting.period_end,
        indicators.indicator_code,
        indicators.value
    from counting
    inner join raw.indicators as indicators on counting.submission_id = indicators.submission_id
    where indicators.indicator_code in (
        'wifi_points_in_service',
        'bts_4g_in_service',
        'coverage_4g_districts_pct',
        'coverage_4g_communes_pct'
    )

),

compared as (

    select
        scope.submission_id,
        indicators.indicator_code,
        indicators.value,
        previous.period as previous_period,
        previous.value as previous_value
    from scope
    inner join raw.indicators as indicators on scope.submission_id = indicators.submission_id
    left join lateral (
        select history.period, history.value
        from history
        where
            history.locality_key = scope.locality_key
            and history.indicator_code = indicators.indicator_code
            and history.period_end < scope.period_start
        order by history.period_end desc, history.period_start asc
        limit 1
    ) as previous on true
    where indicators.indicator_code in (
        'wifi_points_in_service',
        'bts_4g_in_service',
        'coverage_4g_districts_pct',
        'coverage_4g_communes_pct'
    )

),

pivoted as (

    select
        submission_id,
        max(value) filter (where indicator_code = 'wifi_points_in_service')
            as wifi_points_in_service,
        max(previous_value) filter (where indicator_code = 'wifi_points_in_service')
            as wifi_points_in_service_previous,
        max(previous_period) filter (where indicator_code = 'wifi_points_in_service')
            as wifi_points_previous_period,
        max(value) filter (where indicator_code = 'bts_4g_in_service')
            as bts_4g_in_service,
        max(previous_value) filter (where indicator_code = 'bts_4g_in_service')
            as bts_4g_in_service_previous,
        max(previous_period) filter (where indicator_code = 'bts_4g_in_service')
            as bts_4g_previous_period,
        max(value) filter (where indicator_code = 'coverage_4g_districts_pct')
            as coverage_4g_districts_pct,
        max(previous_value) filter (where indicator_code = 'coverage_4g_districts_pct')
            as coverage_4g_districts_pct_previous,
        max(value) filter (where indicator_code = 'coverage_4g_communes_pct')
            as coverage_4g_communes_pct,
        max(previous_value) filter (where indicator_code = 'coverage_4g_communes_pct')
            as coverage_4g_communes_pct_previous
    from compared
    group by submission_id

)

select
    scope.submission_id,
    scope.locality_code,
    scope.locality_name,
    scope.period,
    pivoted.wifi_points_in_service,
    pivoted.wifi_points_in_service_previous,
    pivoted.wifi_points_previous_period,
    round(pivoted.wifi_points_in_service / nullif(pivoted.wifi_points_in_service_previous, 0), 3)
        as wifi_points_in_service_ratio,
    pivoted.bts_4g_in_service,
    pivoted.bts_4g_in_service_previous,
    pivoted.bts_4g_previous_period,
    round(pivoted.bts_4g_in_service / nullif(pivoted.bts_4g_in_service_previous, 0), 3)
        as bts_4g_in_service_ratio,
    pivoted.coverage_4g_districts_pct,
    pivoted.coverage_4g_districts_pct_previous,
    case
        when pivoted.coverage_4g_districts_pct_previous >= 100
            then pivoted.coverage_4g_districts_pct_previous - pivoted.coverage_4g_districts_pct
    end as coverage_4g_districts_drop_from_full,
    pivoted.coverage_4g_communes_pct,
    pivoted.coverage_4g_communes_pct_previous,
    case
        when pivoted.coverage_4g_communes_pct_previous >= 100
            then pivoted.coverage_4g_communes_pct_previous - pivoted.coverage_4g_communes_pct
    end as coverage_4g_communes_drop_from_full
from scope
left join pivoted on scope.submission_id = pivoted.submission_id
