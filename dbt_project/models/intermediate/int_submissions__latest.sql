-- The submission that counts for each locality and period (see int_submissions__ranked).

with

ranked as (

    select * from {{ ref('int_submissions__ranked') }}

),

final as (

    select
        submission_id,
        locality_id,
        locality_key,
        locality_code,
        locality_name,
        locality_level,
        locality_era,
        province_code,
        district_code,
        province_code_2025,
        period,
        period_type,
        period_start,
        period_end,
        submitted_on,
        received_at,
        loaded_at,
        framework,
        agency,
        file_name,
        submissions_for_period

    from ranked
    where is_latest

)

select * from final
