-- The submission that counts for each locality and period: the latest by submitted_on, then
-- received_at, then submission_id, held submissions excluded (the rule of
-- int_submissions__ranked, which also lists the superseded ones).
--
-- Written with `distinct on` rather than as the rank-1 rows of int_submissions__ranked: the
-- planner estimates a `distinct on` from the statistics of raw.submissions (about one row per
-- locality and period), whereas it estimated one single row for the filtered window and its
-- self-join. Every fact joins this model, and with that estimate PostgreSQL chose nested loops
-- that took minutes (fct_locality_scorecard over 6 minutes instead of 2 seconds at 10,000
-- submissions), or not, depending on the statistics of the day.

with

all_submissions as (

    select * from {{ ref('stg_raw__submissions') }}

),

held as (

    select * from {{ ref('stg_audit__held_submissions') }}

),

localities as (

    select * from {{ ref('int_localities') }}

),

submissions as (

    select all_submissions.*

    from all_submissions
    left join held
        on all_submissions.submission_id = held.submission_id
    where held.submission_id is null

),

latest as (

    select distinct on (submissions.locality_key, submissions.period)
        submissions.*,
        count(*) over (
            partition by submissions.locality_key, submissions.period
        ) as submissions_for_period

    from submissions
    order by
        submissions.locality_key asc,
        submissions.period asc,
        submissions.submitted_on desc,
        submissions.received_at desc,
        submissions.submission_id desc

),

final as (

    select
        latest.submission_id,
        localities.locality_id,
        latest.locality_key,
        latest.locality_code,
        latest.locality_name,
        latest.locality_level,
        latest.locality_era,
        localities.province_code,
        localities.district_code,
        localities.province_code_2025,
        latest.period,
        latest.period_type,
        latest.period_start,
        latest.period_end,
        latest.submitted_on,
        latest.received_at,
        latest.loaded_at,
        latest.framework,
        latest.agency,
        latest.file_name,
        latest.submissions_for_period

    from latest
    left join localities
        on latest.locality_key = localities.locality_key

)

select * from final
