with

source as (

    select * from {{ source('raw', 'network_links') }}

),

renamed as (

    select
        submission_id,
        source_row,
        trim(unit_name) as unit_name,
        unit_level,
        connected as is_connected,
        connected_on,
        bandwidth_mbps::numeric as bandwidth_mbps

    from source

)

select * from renamed
