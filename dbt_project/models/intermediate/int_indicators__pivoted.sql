-- One row per submission that reported indicators, one column per catalog indicator the marts
-- use (null = not reported). Every submission, superseded ones included: the models that use
-- it join int_submissions__latest.
--
-- Incremental: a submission's indicators never change once loaded (raw is append-only), so a
-- run pivots only the submissions loaded since the newest one already here, minus a lookback
-- (a load committed late is re-read; delete+insert makes that harmless). The work of a run is
-- proportional to the new submissions, not to the history; a full refresh gives the same table.

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='submission_id',
    )
}}

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

submissions as (

    select
        submission_id,
        loaded_at

    from {{ ref('stg_raw__submissions') }}
    {{ loaded_since_last_run() }}

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
        indicators.submission_id,
        submissions.loaded_at as submission_loaded_at

    from indicators
    inner join submissions
        on indicators.submission_id = submissions.submission_id
    group by indicators.submission_id, submissions.loaded_at

)

select * from pivoted
