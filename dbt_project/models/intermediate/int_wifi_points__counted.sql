-- Wi-Fi points listed (and active) per accepted submission, 0 when it lists none. Every
-- submission, superseded, held and withdrawn ones included: the models that use it join
-- int_submissions__latest.
--
-- Incremental, like int_indicators__pivoted: a submission's points never change once loaded,
-- so a run counts only the submissions not in this table yet (every submission has its row),
-- instead of every Wi-Fi point of the history; a full refresh gives the same table.

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
        submissions.submission_id,
        submissions.loaded_at

    from {{ ref('stg_raw__submissions') }} as submissions
    where {{ not_in_this('submissions') }}

),

wifi_points as (

    select * from {{ ref('stg_raw__wifi_points') }}

),

counted as (

    select
        submissions.submission_id,
        count(wifi_points.point_id) as points_listed,
        count(wifi_points.point_id) filter (where wifi_points.is_active) as points_active,
        submissions.loaded_at as submission_loaded_at

    from submissions
    left join wifi_points
        on submissions.submission_id = wifi_points.submission_id
    group by submissions.submission_id, submissions.loaded_at

)

select * from counted
