with

source as (

    select * from {{ source('raw', 'wifi_points') }}

),

renamed as (

    select
        submission_id,
        source_row,
        trim(point_id) as point_id,
        nullif(trim(name), '') as point_name,
        nullif(trim(commune), '') as commune_name,
        latitude::double precision as latitude,
        longitude::double precision as longitude,
        status,
        status = 'active' as is_active,
        commissioned_on

    from source

)

select * from renamed
