-- Built after the dimensions its foreign keys point to, so that its relationships tests
-- (run with the model, also in Airflow) always find them.
-- depends_on: {{ ref('dim_locality') }}
-- depends_on: {{ ref('dim_period') }}

-- Plan indicators ("chỉ tiêu") and criteria ("tiêu chí") on track out of their totals, per
-- locality and period, against the framework (plan) the submission declared.

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

indicators as (

    select * from {{ ref('int_indicators__pivoted') }}

),

final as (

    select
        {{ surrogate_key(['latest.locality_id', 'latest.period']) }} as plan_progress_key,
        latest.locality_id,
        latest.locality_code,
        latest.period,
        coalesce(latest.framework, 'unspecified') as framework,
        indicators.plan_indicators_on_track::integer as plan_indicators_on_track,
        indicators.plan_indicators_total::integer as plan_indicators_total,
        {{ pct('indicators.plan_indicators_on_track', 'indicators.plan_indicators_total') }}
            as plan_indicators_on_track_pct,
        indicators.plan_criteria_on_track::integer as plan_criteria_on_track,
        indicators.plan_criteria_total::integer as plan_criteria_total,
        {{ pct('indicators.plan_criteria_on_track', 'indicators.plan_criteria_total') }}
            as plan_criteria_on_track_pct,
        latest.submission_id

    from indicators
    inner join latest
        on indicators.submission_id = latest.submission_id
    where
        indicators.plan_indicators_on_track is not null
        or indicators.plan_indicators_total is not null
        or indicators.plan_criteria_on_track is not null
        or indicators.plan_criteria_total is not null

)

select * from final
