-- One row per latest submission that reported indicators, one column per catalog indicator
-- the marts use (null = not reported).

{%- set indicator_codes = [
    'wifi_points_in_service',
    'bts_4g_in_service',
    'bts_4g_new',
    'bts_4g_growth_pct',
    'coverage_4g_districts_pct',
    'coverage_4g_communes_pct',
    'network_connection_points',
    'network_units_connected',
    'network_units_total',
    'network_units_connected_pct',
    'digital_certificate_units_pct',
    'online_public_services_level34_pct',
    'plan_indicators_on_track',
    'plan_indicators_total',
    'plan_criteria_on_track',
    'plan_criteria_total',
    'dti_score',
    'dti_rank',
] %}

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

indicators as (

    select * from {{ ref('stg_raw__indicators') }}

),

pivoted as (

    select
        {% for code in indicator_codes -%}
        max(indicators.indicator_value) filter (
            where indicators.indicator_code = '{{ code }}'
        ) as {{ code }},
        {% endfor -%}
        indicators.submission_id

    from indicators
    inner join latest
        on indicators.submission_id = latest.submission_id
    group by indicators.submission_id

)

select * from pivoted
