with

source as (

    select * from {{ source('raw', 'goal_summary') }}

),

renamed as (

    select
        submission_id,
        source_row,
        nullif(trim(framework), '') as framework,
        pillar,
        goals_total,
        goals_achieved,
        goals_in_progress,
        reported_pct::numeric as reported_pct

    from source

)

select * from renamed
