with

source as (

    select * from {{ source('raw', 'submissions') }}

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
        file_sha256,
        carrier,
        load_run_id,
        warning_count

    from source

)

select * from renamed
