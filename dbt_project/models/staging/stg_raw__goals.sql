with

source as (

    select * from {{ source('raw', 'goals') }}

),

renamed as (

    select
        submission_id,
        source_row,
        nullif(trim(framework), '') as framework,
        trim(goal_code) as goal_code,
        pillar,
        status,
        nullif(trim(title), '') as goal_title,
        target_year

    from source

)

select * from renamed
