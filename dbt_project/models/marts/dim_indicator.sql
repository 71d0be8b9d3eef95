with

indicators as (

    select * from {{ ref('stg_seeds__indicators') }}

),

final as (

    select
        indicator_code,
        indicator_name_vi,
        indicator_name_en,
        unit,
        indicator_kind,
        min_value,
        max_value,
        numerator_code,
        denominator_code

    from indicators

)

select * from final
