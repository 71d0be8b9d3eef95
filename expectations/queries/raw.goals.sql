-- raw.goals: one row per submission in scope and framework it lists goals for: goals listed
-- and achieved, next to the same locality's listing for that framework in its previous period
-- (latest earlier period whose counting report listed goals of the framework; the report that
-- counts is the warehouse's one rule, raw.counting_submissions, held ones excluded),
-- and how many goals achieved then are no longer achieved now.
-- {{ submission_ids }} is replaced with the submission ids in scope (integers only).
with scope as (

    select submission_id, locality_key, locality_code, locality_name, period, period_start,
        framework as submission_framework
    from raw.submissions
    where submission_id in ({{ submission_ids }})

),

counting as (

    select
        submission_id,
        locality_key,
        period,
        period_start,
        period_end,
        framework as submission_framework
    from raw.counting_submissions

),

current_goals as (

    select
        scope.submission_id,
        coalesce(goals.framework, scope.submission_framework, 'unspecified') as framework,
        goals.goal_code,
        goals.status
    from scope
    inner join raw.goals as goals on scope.submission_id = goals.submission_id

),

history as (

    select
        counting.locality_key,
        counting.period,
        counting.period_start,
        counting.period_end,
        counting.submission_id,
        coalesce(goals.framework, counting.submission_framework, 'unspecified') as framework,
        goals.goal_code,
        goals.status
    from counting
    inner join raw.goals as goals on counting.submission_id = goals.submission_id

),

listings as (

    select
        current_goals.submission_id,
        current_goals.framework,
        count(*) as goals_listed,
        count(*) filter (where current_goals.status = 'achieved') as goals_achieved
    from current_goals
    group by current_goals.submission_id, current_goals.framework

),

previous as (

    select
        listings.submission_id,
        listings.framework,
        previous_listing.period as previous_period,
        previous_listing.submission_id as previous_submission_id
    from listings
    inner join scope on listings.submission_id = scope.submission_id
    left join lateral (
        select history.period, history.submission_id
        from history
        where
            history.locality_key = scope.locality_key
            and history.framework = listings.framework
            and history.period_end < scope.period_start
        order by history.period_end desc, history.period_start asc
        limit 1
    ) as previous_listing on true

)

select
    scope.submission_id,
    scope.locality_code,
    scope.locality_name,
    scope.period,
    listings.framework,
    listings.goals_listed,
    listings.goals_achieved,
    previous.previous_period,
    case
        when previous.previous_submission_id is not null then (
            select count(*)
            from history
            where
                history.submission_id = previous.previous_submission_id
                and history.framework = listings.framework
        )
    end as goals_listed_previous,
    (
        select count(*)
        from history
        left join current_goals
            on
                current_goals.submission_id = listings.submission_id
                and current_goals.framework = history.framework
                and current_goals.goal_code = history.goal_code
        where
            history.submission_id = previous.previous_submission_id
            and history.framework = listings.framework
            and history.status = 'achieved'
            and coalesce(current_goals.status, 'missing') <> 'achieved'
    ) as achieved_goals_no_longer_achieved
from listings
inner join scope on listings.submission_id = scope.submission_id
inner join previous
    on listings.submission_id = previous.submission_id and listings.framework = previous.framework
