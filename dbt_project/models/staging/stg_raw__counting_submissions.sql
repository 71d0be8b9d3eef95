-- The submission that counts for each locality and period, as the warehouse defines it once
-- (the view raw.counting_submissions: held and withdrawn submissions never count).

with

source as (

    select * from {{ source('raw', 'counting_submissions') }}

),

renamed as (

    select
        submission_id,
        locality_key,
        locality_code,
        locality_name,
        locality_level,
        locality_era,
        period,
        period_type,
        period_start,
        period_end,
        submitted_on,
        received_at,
        loaded_at,
        nullif(trim(framework), '') as framework,
        nullif(trim(agency), '') as agency,
        file_name,
        submissions_for_period

    from source

)

select * from renamed
