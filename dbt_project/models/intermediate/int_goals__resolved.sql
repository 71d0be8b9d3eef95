-- Goals of latest submissions, each with its framework: the row's own, else the submission's
-- (the default the locality declared), else 'unspecified'.

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

goals as (

    select * from {{ ref('stg_raw__goals') }}

),

resolved as (

    select
        goals.submission_id,
        goals.source_row,
        coalesce(goals.framework, latest.framework, 'unspecified') as framework,
        goals.goal_code,
        goals.pillar,
        goals.status,
        goals.goal_title,
        goals.target_year

    from goals
    inner join latest
        on goals.submission_id = latest.submission_id

)

select * from resolved
