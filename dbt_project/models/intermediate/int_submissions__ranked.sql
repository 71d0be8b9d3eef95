-- Every accepted submission, ranked within its locality and period. The latest one wins:
-- latest submitted_on (the date on the report), then latest received_at (when the file
-- arrived), then the highest submission_id (load order). The others are superseded.
-- Submissions held back by the raw data-quality gate take no part until released.

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

ranked as (

    select
        submissions.*,
        row_number() over (
            partition by submissions.locality_key, submissions.period
            order by
                submissions.submitted_on desc,
                submissions.received_at desc,
                submissions.submission_id desc
        ) as submission_rank,
        count(*) over (
            partition by submissions.locality_key, submissions.period
        ) as submissions_for_period

    from submissions

),

latest_of_period as (

    select
        locality_key,
        period,
        submission_id as latest_submission_id

    from ranked
    where submission_rank = 1

),

final as (

    select
        ranked.submission_id,
        localities.locality_id,
        ranked.locality_key,
        ranked.locality_code,
        ranked.locality_name,
        ranked.locality_level,
        ranked.locality_era,
        localities.province_code,
        localities.district_code,
        localities.province_code_2025,
        ranked.period,
        ranked.period_type,
        ranked.period_start,
        ranked.period_end,
        ranked.submitted_on,
        ranked.received_at,
        ranked.loaded_at,
        ranked.framework,
        ranked.agency,
        ranked.file_name,
        ranked.submission_rank,
        ranked.submissions_for_period,
        ranked.submission_rank = 1 as is_latest,
        nullif(latest_of_period.latest_submission_id, ranked.submission_id)
            as superseded_by_submission_id

    from ranked
    inner join latest_of_period
        on
            ranked.locality_key = latest_of_period.locality_key
            and ranked.period = latest_of_period.period
    left join localities
        on ranked.locality_key = localities.locality_key

)

select * from final
