with

source as (

    select * from {{ ref('seed_indicators') }}

),

renamed as (

    select
        indicator_code,
        name_vi as indicator_name_vi,
        name_en as indicator_name_en,
        unit,
        kind as indicator_kind,
        min_value::numeric as min_value,
        max_value::numeric as max_value,
        numerator_code,
        denominator_code

    from source

)

select * from renamed
