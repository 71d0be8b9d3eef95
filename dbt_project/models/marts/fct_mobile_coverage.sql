-- Built after the dimensions its foreign keys point to, so that its relationships tests
-- (run with the model, also in Airflow) always find them.
-- depends_on: {{ ref('dim_locality') }}
-- depends_on: {{ ref('dim_period') }}

-- 4G figures per locality and period. Growth of BTS in service: against the same locality's
-- latest report of the figure whose period ended before this one began, whatever its type
-- (previous_period), and against its previous year-end, in percent, one decimal (the rule of
-- int_stock_figures__compared).

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

indicators as (

    select * from {{ ref('int_indicators__pivoted') }}

),

stocks as (

    select * from {{ ref('int_stock_figures__compared') }}
    where figure = 'bts_4g_in_service'

),

coverage as (

    select
        latest.submission_id,
        latest.locality_id,
        latest.locality_code,
        latest.period,
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

final as (

    select
        {{ surrogate_key(['coverage.locality_id', 'coverage.period']) }} as mobile_coverage_key,
        coverage.locality_id,
        coverage.locality_code,
        coverage.period,
        coverage.bts_4g_in_service,
        coverage.bts_4g_new,
        stocks.previous_period,
        stocks.previous_value::integer as bts_4g_in_service_previous,
        stocks.growth_pct as bts_4g_growth_pct,
        coverage.bts_4g_growth_pct_reported,
        coverage.coverage_4g_districts_pct,
        coverage.coverage_4g_communes_pct,
        coverage.submission_id,
        stocks.year_end_period,
        stocks.year_end_value::integer as bts_4g_in_service_year_end,
        stocks.growth_vs_year_end_pct as bts_4g_growth_vs_year_end_pct

    from coverage
    left join stocks
        on coverage.submission_id = stocks.submission_id

)

select * from final
