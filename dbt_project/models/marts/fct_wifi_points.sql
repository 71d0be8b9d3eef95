-- Built after the dimensions its foreign keys point to, so that its relationships tests
-- (run with the model, also in Airflow) always find them.
-- depends_on: {{ ref('dim_locality') }}
-- depends_on: {{ ref('dim_period') }}

-- Incremental: each run re-reads the latest submissions loaded since the newest one already
-- in the table (minus a lookback) and replaces their locality and period (delete+insert);
-- the post-hook then drops rows of submissions that are no longer the latest, which also
-- covers a superseding submission that lists no Wi-Fi points. A full refresh gives the same
-- table.

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['locality_id', 'period'],
        post_hook=[
            "delete from {{ this }} as facts where not exists (
                select 1 from {{ ref('int_submissions__latest') }} as latest
                where latest.submission_id = facts.submission_id
            )"
        ],
    )
}}

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

wifi_points as (

    select * from {{ ref('stg_raw__wifi_points') }}

),

new_submissions as (

    select * from latest
    {{ loaded_since_last_run() }}

),

final as (

    select
        {{ surrogate_key([
            'new_submissions.locality_id',
            'new_submissions.period',
            'wifi_points.point_id',
        ]) }}
            as wifi_point_key,
        new_submissions.locality_id,
        new_submissions.locality_code,
        new_submissions.period,
        wifi_points.point_id,
        wifi_points.point_name,
        wifi_points.commune_name,
        wifi_points.status,
        wifi_points.is_active,
        wifi_points.latitude,
        wifi_points.longitude,
        wifi_points.commissioned_on,
        new_submissions.submission_id,
        new_submissions.loaded_at as submission_loaded_at

    from wifi_points
    inner join new_submissions
        on wifi_points.submission_id = new_submissions.submission_id

)

select * from final
