-- The submission that counts for each locality and period (raw.counting_submissions: latest
-- submitted_on, then received_at, then file_sha256, then submission_id; held and withdrawn
-- submissions excluded), with the reporting unit's surrogate key and its provinces.

with

counting as (

    select * from {{ ref('stg_raw__counting_submissions') }}

),

localities as (

    select * from {{ ref('int_localities') }}

),

final as (

    select
        counting.submission_id,
        localities.locality_id,
        counting.locality_key,
        counting.locality_code,
        counting.locality_name,
        counting.locality_level,
        counting.locality_era,
        localities.province_code,
        localities.district_code,
        localities.province_code_2025,
        counting.period,
        counting.period_type,
        counting.period_start,
        counting.period_end,
        counting.submitted_on,
        counting.received_at,
        counting.loaded_at,
        counting.framework,
        counting.agency,
        counting.file_name,
        counting.submissions_for_period

    from counting
    left join localities
        on counting.locality_key = localities.locality_key

)

select * from final
