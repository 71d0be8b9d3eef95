-- Goal counts per latest submission, framework and pillar (plus pillar 'all'). Where the
-- locality listed its goals for a framework, the counts come from those rows and the
-- goal_summary only contributes its reported percentage; for a framework without goal rows,
-- the goal_summary counts are used as reported.

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

goals as (

    select * from {{ ref('int_goals__resolved') }}

),

summaries as (

    select * from {{ ref('stg_raw__goal_summaries') }}

),

summaries_resolved as (

    select
        summaries.submission_id,
        coalesce(summaries.framework, latest.framework, 'unspecified') as framework,
        summaries.pillar,
        summaries.goals_total,
        summaries.goals_achieved,
        summaries.goals_in_progress,
        summaries.reported_pct

    from summaries
    inner join latest
        on summaries.submission_id = latest.submission_id

),

goals_counted as (

    select
        submission_id,
        framework,
        coalesce(pillar, 'all') as pillar,
        count(*)::integer as goals_total,
        (count(*) filter (where status = 'achieved'))::integer as goals_achieved,
        (count(*) filter (where status = 'in_progress'))::integer as goals_in_progress

    from goals
    group by grouping sets ((submission_id, framework, pillar), (submission_id, framework))

),

from_goals as (

    select
        goals_counted.submission_id,
        goals_counted.framework,
        goals_counted.pillar,
        goals_counted.goals_total,
        goals_counted.goals_achieved,
        goals_counted.goals_in_progress,
        summaries_resolved.reported_pct,
        'goals' as counts_source

    from goals_counted
    left join summaries_resolved
        on
            goals_counted.submission_id = summaries_resolved.submission_id
            and goals_counted.framework = summaries_resolved.framework
            and goals_counted.pillar = summaries_resolved.pillar

),

from_summaries as (

    select
        summaries_resolved.submission_id,
        summaries_resolved.framework,
        summaries_resolved.pillar,
        summaries_resolved.goals_total,
        summaries_resolved.goals_achieved,
        summaries_resolved.goals_in_progress,
        summaries_resolved.reported_pct,
        'goal_summary' as counts_source

    from summaries_resolved
    where not exists (
        select 1
        from goals_counted
        where
            goals_counted.submission_id = summaries_resolved.submission_id
            and goals_counted.framework = summaries_resolved.framework
    )

),

unioned as (

    select * from from_goals
    union all
    select * from from_summaries

)

select * from unioned
