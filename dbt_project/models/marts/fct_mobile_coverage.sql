-- Built after the dimensions its foreign keys point to, so that its relationships tests
-- (run with the model, also in Airflow) always find them.
-- depends_on: {{ ref('dim_locality') }}
-- depends_on: {{ ref('dim_period') }}

-- 4G figures per locality and period. Growth: BTS in service against the same locality's
-- previous reported period of the same type (the previous year for a year, the previous
-- reported half for a half, ...), in percent, one decimal.

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

indicators as (

    select * from {{ ref('int_indicators__pivoted') }}

),

coverage as (

    select
        latest.submission_id,
        latest.locality_id,
        latest.locality_code,
        latest.period,
        latest.period_type,
        latest.period_start,
        indicators.bts_4g_in_service::integer as bts_4g_in_service,
        indicators.bts_4g_new::integer as bts_4g_new,
        indicators.bts_4g_growth_pct as bts_4g_growth_pct_reported,
        indicators.coverage_4g_districts_pct,
        indicators.coverage_4g_communes_pct

    from latest
    inner join indicators
        on latest.submission_id = indicators.submission_id
    where
        indicators.bts_4g_in_service is not null
        or indicators.bts_4g_new is not null
        or indicators.bts_4g_growth_pct is not null
        or indicators.coverage_4g_districts_pct is not null
        or indicators.coverage_4g_communes_pct is not null

),

previous_reported as (

    select
        submission_id,
        lag(period) over same_type as previous_period,
        lag(bts_4g_in_service) over same_type as bts_4g_in_service_previous

    from coverage
    where bts_4g_in_service is not null
    window same_type as (partition by locality_id, period_type order by period_start)

),

final as (

    select
        {{ surrogate_key(['coverage.locality_id', 'coverage.period']) }} as mobile_coverage_key,
        coverage.locality_id,
        coverage.locality_code,
        coverage.period,
        coverage.bts_4g_in_service,
        coverage.bts_4g_new,
        previous_reported.previous_period,
        previous_reported.bts_4g_in_service_previous,
        {{ pct(
            'coverage.bts_4g_in_service - previous_reported.bts_4g_in_service_previous',
            'previous_reported.bts_4g_in_service_previous'
        ) }} as bts_4g_growth_pct,
        coverage.bts_4g_growth_pct_reported,
        coverage.coverage_4g_districts_pct,
        coverage.coverage_4g_communes_pct,
        coverage.submission_id

    from coverage
    left join previous_reported
        on coverage.submission_id = previous_reported.submission_id

)

select * from final
