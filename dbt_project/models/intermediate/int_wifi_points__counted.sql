-- Wi-Fi points listed per latest submission.

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

wifi_points as (

    select * from {{ ref('stg_raw__wifi_points') }}

),

counted as (

    select
        wifi_points.submission_id,
        count(*) as points_listed,
        count(*) filter (where wifi_points.is_active) as points_active

    from wifi_points
    inner join latest
        on wifi_points.submission_id = latest.submission_id
    group by wifi_points.submission_id

)

select * from counted
