with

source as (

    select * from {{ source('raw', 'indicators') }}

),

renamed as (

    select
        submission_id,
        source_row,
        lower(trim(indicator_code)) as indicator_code,
        value::numeric as indicator_value,
        nullif(trim(note), '') as note

    from source

)

select * from renamed
