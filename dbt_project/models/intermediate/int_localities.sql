{{ config(materialized='table') }}

with

localities as (

    select * from {{ ref('stg_seeds__localities') }}

),

identified as (

    select
        -- Deterministic surrogate key: era (1 legacy, 2 from 2025), level (1 province,
        -- 2 district, 3 commune), then the 5-digit code: 2100022 is the 2025 province 22,
        -- 1306688 the legacy commune 06688. Stable across rebuilds and seed refreshes.
        (
            case locality_era when 'legacy' then 1000000 else 2000000 end
            + case locality_level
                when 'province' then 100000
                when 'district' then 200000
                else 300000
            end
            + locality_code::integer
        ) as locality_id,
        locality_key,
        locality_code,
        locality_name,
        locality_full_name,
        unit_type,
        locality_level,
        locality_era,
        valid_from,
        valid_to,
        province_code,
        district_code,
        province_code_2025,
        successor_code_2025

    from localities

),

final as (

    select
        identified.*,
        identified.locality_era || ':province:' || identified.province_code
            as province_locality_key,
        '2025:province:' || identified.province_code_2025 as province_2025_locality_key

    from identified

)

select * from final
