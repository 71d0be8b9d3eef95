-- Built after the dimensions its foreign keys point to, so that its relationships tests
-- (run with the model, also in Airflow) always find them.
-- depends_on: {{ ref('dim_locality') }}
-- depends_on: {{ ref('dim_period') }}

-- Attainment per locality, period, framework and pillar (plus 'all'): counts from the goal
-- rows where the locality listed its goals, else from its goal_summary. The percentage is
-- recomputed from the counts; the one the locality reported is kept beside it and flagged
-- when the two differ by more than one point.

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

attainment as (

    select * from {{ ref('int_goal_attainment__unioned') }}

),

computed as (

    select
        attainment.*,
        {{ pct('attainment.goals_achieved', 'attainment.goals_total') }} as attainment_pct

    from attainment

),

final as (

    select
        {{ surrogate_key([
            'latest.locality_id', 'latest.period', 'computed.framework', 'computed.pillar',
        ]) }}
            as goal_attainment_key,
        latest.locality_id,
        latest.locality_code,
        latest.period,
        computed.framework,
        computed.pillar,
        computed.goals_total,
        computed.goals_achieved,
        computed.goals_in_progress,
        computed.goals_total
        - computed.goals_achieved
        - computed.goals_in_progress as goals_not_achieved,
        computed.attainment_pct,
        computed.reported_pct,
        case
            when computed.reported_pct is null or computed.attainment_pct is null then null
            else abs(computed.reported_pct - computed.attainment_pct) <= 1
        end as is_reported_pct_consistent,
        computed.counts_source,
        latest.submission_id

    from computed
    inner join latest
        on computed.submission_id = latest.submission_id

)

select * from final
