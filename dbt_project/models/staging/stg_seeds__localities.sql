with

source as (

    select * from {{ ref('seed_localities') }}

),

renamed as (

    select
        locality_key,
        code as locality_code,
        name as locality_name,
        full_name as locality_full_name,
        unit_type,
        level as locality_level,
        era as locality_era,
        valid_from::date as valid_from,
        valid_to::date as valid_to,
        province_code,
        district_code,
        province_code_2025,
        successor_code_2025

    from source

)

select * from renamed
