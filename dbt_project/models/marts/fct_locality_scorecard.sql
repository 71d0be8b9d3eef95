-- Built after the dimensions its foreign keys point to, so that its relationships tests
-- (run with the model, also in Airflow) always find them.
-- depends_on: {{ ref('dim_locality') }}
-- depends_on: {{ ref('dim_period') }}

-- One row per 2025 province and reported period: every headline figure of the reports from
-- the units the province holds today (its own, its 2025 communes', and those of the legacy
-- provinces, districts and communes that now belong to it), without double counting (see
-- int_scorecard__contributions), with ratios recomputed from summed numerators and
-- denominators and the province's rank among all provinces on each headline figure.

{%- set ranked_figures = [
    'wifi_points_in_service',
    'bts_4g_in_service',
    'network_connection_rate_pct',
    'goal_attainment_pct',
    'dti_score',
] %}

with

contributions as (

    select * from {{ ref('int_scorecard__contributions') }}

),

localities as (

    select * from {{ ref('int_localities') }}

),

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

provinces as (

    select
        locality_id,
        locality_code,
        locality_name

    from localities
    where locality_era = '2025' and locality_level = 'province'

),

reported_periods as (

    select distinct
        period,
        period_type,
        period_start

    from latest

),

rolled_up as (

    select
        province_code_2025,
        period,
        count(distinct submission_id) as submissions_reporting,
        count(distinct submission_id) filter (where is_counted) as submissions_counted,
        string_agg(
            distinct locality_era || ' ' || locality_level, ', '
        ) filter (where is_counted) as levels_counted,
        {% for figure in [
            'wifi_points_in_service',
            'bts_4g_in_service',
            'bts_4g_new',
            'network_connection_points',
            'network_units_connected',
            'network_units_total',
            'plan_indicators_on_track',
            'plan_indicators_total',
            'plan_criteria_on_track',
            'plan_criteria_total',
            'goals_total',
            'goals_achieved',
            'goals_in_progress',
        ] -%}
        sum(figure_value) filter (
            where is_counted and figure = '{{ figure }}'
        )::bigint as {{ figure }},
        {% endfor -%}
        -- The DTI is a score, not a count: a merged province's figure is the mean of its
        -- predecessors' (how the 34-province DTI 2024 was published).
        round(avg(figure_value) filter (where is_counted and figure = 'dti_score'), 4)
            as dti_score

    from contributions
    group by province_code_2025, period

),

province_periods as (

    select
        provinces.locality_id,
        provinces.locality_code,
        provinces.locality_name,
        reported_periods.period,
        reported_periods.period_type,
        reported_periods.period_start,
        coalesce(rolled_up.submissions_reporting, 0) as submissions_reporting,
        coalesce(rolled_up.submissions_counted, 0) as submissions_counted,
        rolled_up.levels_counted,
        rolled_up.wifi_points_in_service,
        rolled_up.bts_4g_in_service,
        rolled_up.bts_4g_new,
        rolled_up.network_connection_points,
        rolled_up.network_units_connected,
        rolled_up.network_units_total,
        rolled_up.plan_indicators_on_track,
        rolled_up.plan_indicators_total,
        rolled_up.plan_criteria_on_track,
        rolled_up.plan_criteria_total,
        rolled_up.goals_total,
        rolled_up.goals_achieved,
        rolled_up.goals_in_progress,
        rolled_up.dti_score

    from provinces
    cross join reported_periods
    left join rolled_up
        on
            provinces.locality_code = rolled_up.province_code_2025
            and reported_periods.period = rolled_up.period

),

bts_previous as (

    select
        locality_id,
        period,
        lag(bts_4g_in_service) over same_type as bts_4g_in_service_previous

    from province_periods
    where bts_4g_in_service is not null
    window same_type as (partition by locality_id, period_type order by period_start)

),

ratios as (

    select
        province_periods.*,
        {{ pct(
            'province_periods.bts_4g_in_service - bts_previous.bts_4g_in_service_previous',
            'bts_previous.bts_4g_in_service_previous'
        ) }} as bts_4g_growth_pct,
        {{ pct(
            'province_periods.network_units_connected',
            'province_periods.network_units_total',
        ) }}
            as network_connection_rate_pct,
        {{ pct(
            'province_periods.plan_indicators_on_track',
            'province_periods.plan_indicators_total',
        ) }}
            as plan_indicators_on_track_pct,
        {{ pct('province_periods.plan_criteria_on_track', 'province_periods.plan_criteria_total') }}
            as plan_criteria_on_track_pct,
        {{ pct('province_periods.goals_achieved', 'province_periods.goals_total') }}
            as goal_attainment_pct

    from province_periods
    left join bts_previous
        on
            province_periods.locality_id = bts_previous.locality_id
            and province_periods.period = bts_previous.period

),

ranked as (

    select
        {% for figure in ranked_figures -%}
        case
            when ratios.{{ figure }} is not null
                then rank() over (
                    partition by ratios.period, ratios.{{ figure }} is null
                    order by ratios.{{ figure }} desc
                )
        end as {{ figure }}_rank,
        {% endfor -%}
        ratios.*

    from ratios

),

final as (

    select
        {{ surrogate_key(['locality_id', 'period']) }} as scorecard_key,
        locality_id,
        locality_code,
        locality_name,
        period,
        submissions_reporting,
        submissions_counted,
        levels_counted,
        wifi_points_in_service,
        wifi_points_in_service_rank::integer as wifi_points_in_service_rank,
        bts_4g_in_service,
        bts_4g_in_service_rank::integer as bts_4g_in_service_rank,
        bts_4g_new,
        bts_4g_growth_pct,
        network_connection_points,
        network_units_connected,
        network_units_total,
        network_connection_rate_pct,
        network_connection_rate_pct_rank::integer as network_connection_rate_pct_rank,
        plan_indicators_on_track,
        plan_indicators_total,
        plan_indicators_on_track_pct,
        plan_criteria_on_track,
        plan_criteria_total,
        plan_criteria_on_track_pct,
        goals_total,
        goals_achieved,
        goals_in_progress,
        goal_attainment_pct,
        goal_attainment_pct_rank::integer as goal_attainment_pct_rank,
        dti_score,
        dti_score_rank::integer as dti_score_rank

    from ranked

)

select * from final
