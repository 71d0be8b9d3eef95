-- The headline counts of each latest submission (one row per locality and period), the
-- figures the scorecard rolls up. Wi-Fi points in service: the indicator, else the active
-- points the locality listed (if it listed any). Goals: summed over the frameworks it
-- reported against.

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

indicators as (

    select * from {{ ref('int_indicators__pivoted') }}

),

wifi_points as (

    select * from {{ ref('int_wifi_points__counted') }}

),

network as (

    select * from {{ ref('int_network_links__resolved') }}

),

goal_attainment as (

    select * from {{ ref('int_goal_attainment__unioned') }}

),

goals_all as (

    select
        submission_id,
        sum(goals_total) as goals_total,
        sum(goals_achieved) as goals_achieved,
        sum(goals_in_progress) as goals_in_progress

    from goal_attainment
    where pillar = 'all'
    group by submission_id

),

figures as (

    select
        latest.submission_id,
        latest.locality_id,
        latest.locality_key,
        latest.locality_code,
        latest.locality_level,
        latest.locality_era,
        latest.province_code,
        latest.district_code,
        latest.province_code_2025,
        latest.period,
        latest.period_type,
        latest.period_start,
        latest.period_end,
        coalesce(
            indicators.wifi_points_in_service,
            case when wifi_points.points_listed > 0 then wifi_points.points_active end
        ) as wifi_points_in_service,
        indicators.bts_4g_in_service,
        indicators.bts_4g_new,
        network.connection_points as network_connection_points,
        network.units_connected as network_units_connected,
        network.units_total as network_units_total,
        indicators.plan_indicators_on_track,
        indicators.plan_indicators_total,
        indicators.plan_criteria_on_track,
        indicators.plan_criteria_total,
        goals_all.goals_total,
        goals_all.goals_achieved,
        goals_all.goals_in_progress,
        indicators.dti_score

    from latest
    left join indicators
        on latest.submission_id = indicators.submission_id
    left join wifi_points
        on latest.submission_id = wifi_points.submission_id
    left join network
        on latest.submission_id = network.submission_id
    left join goals_all
        on latest.submission_id = goals_all.submission_id

)

select * from figures
