-- One row per accepted submission, one column per catalog indicator the marts use (null = not
-- reported). Every submission, superseded, held and withdrawn ones included: the models that
-- use it join int_submissions__latest, so a hold, a release or a withdrawal changes nothing here.
--
-- Incremental: a submission's indicators never change once loaded (raw is append-only), so a
-- run pivots only the submissions not in this table yet (every submission has its row, with
-- or without indicators). The work of a run is proportional to the new submissions, not to
-- the history; a full refresh gives the same table.

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
        submissions.submission_id,
        submissions.loaded_at

    from {{ ref('stg_raw__submissions') }} as submissions
    where {{ not_in_this('submissions') }}

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
        submissions.submission_id,
        submissions.loaded_at as submission_loaded_at

    from submissions
    left join indicators
        on submissions.submission_id = indicators.submission_id
    group by submissions.submission_id, submissions.loaded_at

)

select * from pivoted
