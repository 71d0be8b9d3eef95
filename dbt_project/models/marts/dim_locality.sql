with

localities as not materialized (

    select * from {{ ref('int_localities') }}

),

provinces as (

    select
        locality_key,
        locality_id

    from localities
    where locality_level = 'province'

),

final as (

    select
        localities.locality_id,
        localities.locality_key,
        localities.locality_code,
        localities.locality_name,
        localities.locality_full_name,
        localities.unit_type,
        localities.locality_level as level,
        localities.locality_era as era,
        localities.valid_from,
        localities.valid_to,
        localities.province_code,
        localities.district_code,
        localities.province_code_2025,
        province.locality_id as province_locality_id,
        province_2025.locality_id as province_2025_locality_id,
        localities.successor_code_2025

    from localities
    left join provinces as province
        on localities.province_locality_key = province.locality_key
    left join provinces as province_2025
        on localities.province_2025_locality_key = province_2025.locality_key

)

select * from final
