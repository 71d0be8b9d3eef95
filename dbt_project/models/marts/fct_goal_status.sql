-- Built after the dimensions its foreign keys point to, so that its relationships tests
-- (run with the model, also in Airflow) always find them.
-- depends_on: {{ ref('dim_locality') }}
-- depends_on: {{ ref('dim_period') }}

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

goals as (

    select * from {{ ref('int_goals__resolved') }}

),

final as (

    select
        {{ surrogate_key([
            'latest.locality_id', 'latest.period', 'goals.framework', 'goals.goal_code',
        ]) }}
            as goal_status_key,
        latest.locality_id,
        latest.locality_code,
        latest.period,
        goals.framework,
        goals.goal_code,
        goals.pillar,
        goals.status,
        goals.status = 'achieved' as is_achieved,
        goals.goal_title,
        goals.target_year,
        latest.submission_id

    from goals
    inner join latest
        on goals.submission_id = latest.submission_id

)

select * from final
