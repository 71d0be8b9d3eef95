-- Built after the dimensions its foreign keys point to, so that its relationships tests
-- (run with the model, also in Airflow) always find them.
-- depends_on: {{ ref('dim_locality') }}
-- depends_on: {{ ref('dim_period') }}

-- Incremental, and equal to a full refresh after any sequence of events: each run inserts the
-- points of every counting submission that lists points and is not in the table yet (a new
-- report, a correction of a period years old, a report that counts again because the one
-- that replaced it was held or withdrawn, or because its own hold was released), replacing the
-- rows of its locality and period (delete+insert); the post-hook then drops the rows of every
-- submission that no longer counts (superseded, held, withdrawn, or replaced by a report that
-- lists no points). Rows of a submission never change, so nothing else can be stale.

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

wifi_points as not materialized (

    select * from {{ ref('stg_raw__wifi_points') }}

),

new_listings as (

    select latest.*

    from latest
    where
        {{ not_in_this('latest') }}
        and exists (
            select 1
            from wifi_points
            where wifi_points.submission_id = latest.submission_id
        )

),

final as (

    select
        {{ surrogate_key([
            'new_listings.locality_id',
            'new_listings.period',
            'wifi_points.point_id',
        ]) }}
            as wifi_point_key,
        new_listings.locality_id,
        new_listings.locality_code,
        new_listings.period,
        wifi_points.point_id,
        wifi_points.point_name,
        wifi_points.commune_name,
        wifi_points.status,
        wifi_points.is_active,
        wifi_points.latitude,
        wifi_points.longitude,
        wifi_points.commissioned_on,
        new_listings.submission_id,
        new_listings.loaded_at as submission_loaded_at

    from wifi_points
    inner join new_listings
        on wifi_points.submission_id = new_listings.submission_id

)

select * from final
