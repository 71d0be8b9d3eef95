-- Wi-Fi points listed (and active) per submission. Every submission, superseded ones included:
-- the models that use it join int_submissions__latest.
--
-- Incremental, like int_indicators__pivoted: a submission's points never change once loaded,
-- so a run counts only the submissions loaded since the newest one already here (minus a
-- lookback), instead of every Wi-Fi point of the history; a full refresh gives the same table.

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='submission_id',
    )
}}

with

submissions as (

    select
        submission_id,
        loaded_at

    from {{ ref('stg_raw__submissions') }}
    {{ loaded_since_last_run() }}

),

wifi_points as (

    select * from {{ ref('stg_raw__wifi_points') }}

),

counted as (

    select
        wifi_points.submission_id,
        count(*) as points_listed,
        count(*) filter (where wifi_points.is_active) as points_active,
        submissions.loaded_at as submission_loaded_at

    from wifi_points
    inner join submissions
        on wifi_points.submission_id = submissions.submission_id
    group by wifi_points.submission_id, submissions.loaded_at

)

select * from counted
