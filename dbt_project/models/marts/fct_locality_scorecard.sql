-- Built after the dimensions its foreign keys point to, so that its relationships tests
-- (run with the model, also in Airflow) always find them.
-- depends_on: {{ ref('dim_locality') }}
-- depends_on: {{ ref('dim_period') }}

-- One row per 2025 province and period that a unit it holds reported: every headline figure
-- of the reports from the units the province holds today (its own, its 2025 communes', and
-- those of the legacy provinces, districts and communes that now belong to it), without
-- double counting (see int_scorecard__contributions), with ratios recomputed from summed
-- numerators and denominators. How much of the province the reports cover is said
-- (int_scorecard__coverage): a partial figure is shown as partial, never ranked, never grown.
-- Ranks are among the complete rows of the period; growth compares complete rows; the DTI
-- follows the official rule (int_scorecard__dti).

{#- Each ranked figure and its figure group (int_scorecard__contributions). -#}
{%- set ranked_figures = {
    'wifi_points_in_service': 'wifi',
    'bts_4g_in_service': 'bts_4g',
    'network_connection_rate_pct': 'network_units',
    'goal_attainment_pct': 'goals',
} %}


with

contributions as (

    select * from {{ ref('int_scorecard__contributions') }}

),

coverage as not materialized (

    select * from {{ ref('int_scorecard__coverage') }}

),

groups_covered as (

    select
        province_code_2025,
        period,
        {% for group in ['wifi', 'bts_4g', 'network_units', 'goals'] -%}
        coalesce(
            bool_and(is_complete) filter (where figure_group = '{{ group }}'), false
        ) as is_{{ group }}_complete,
        {% endfor -%}
        string_agg(figure_group, ', ' order by figure_group) filter (
            where figure_group != 'any' and not is_complete
        ) as partial_figures

    from coverage
    group by province_code_2025, period

),

dti as (

    select * from {{ ref('int_scorecard__dti') }}

),

localities as (

    select * from {{ ref('int_localities') }}

),

latest as not materialized (

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
        period_start,
        period_end

    from latest

),

rolled_up as (

    select
        province_code_2025,
        period,
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
        sum(figure_value) filter (where figure = '{{ figure }}')::bigint as {{ figure }},
        {% endfor -%}
        count(distinct submission_id) as submissions_counted,
        string_agg(distinct locality_era || ' ' || locality_level, ', ') as levels_counted

    from contributions
    where is_counted
    group by province_code_2025, period

),

reporting as (

    select
        province_code_2025,
        period,
        count(*) as submissions_reporting

    from latest
    group by province_code_2025, period

),

province_periods as (

    select
        provinces.locality_id,
        provinces.locality_code,
        provinces.locality_name,
        coverage.period,
        reported_periods.period_start,
        reported_periods.period_end,
        reporting.submissions_reporting,
        coalesce(rolled_up.submissions_counted, 0) as submissions_counted,
        rolled_up.levels_counted,
        coverage.units_expected,
        coverage.units_reporting,
        coverage.is_complete,
        groups_covered.partial_figures,
        {% for group in ['wifi', 'bts_4g', 'network_units', 'goals'] -%}
        coverage.is_complete and groups_covered.is_{{ group }}_complete
            as is_{{ group }}_comparable,
        {% endfor -%}
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
        dti.dti_score,
        dti.dti_provinces_reporting,
        dti.dti_provinces_expected

    from coverage
    inner join groups_covered
        on
            coverage.province_code_2025 = groups_covered.province_code_2025
            and coverage.period = groups_covered.period
    inner join provinces
        on coverage.province_code_2025 = provinces.locality_code
    inner join reported_periods
        on coverage.period = reported_periods.period
    inner join reporting
        on
            coverage.province_code_2025 = reporting.province_code_2025
            and coverage.period = reporting.period
    left join rolled_up
        on
            coverage.province_code_2025 = rolled_up.province_code_2025
            and coverage.period = rolled_up.period
    left join dti
        on
            coverage.province_code_2025 = dti.province_code_2025
            and coverage.period = dti.period
    where coverage.figure_group = 'any'

),

complete_stocks as (

    select
        province_periods.locality_id,
        province_periods.period,
        province_periods.period_start,
        province_periods.period_end,
        stock.figure,
        stock.figure_value

    from province_periods
    cross join
        lateral (
            values
            (
                'wifi_points_in_service',
                province_periods.wifi_points_in_service::numeric,
                province_periods.is_wifi_comparable
            ),
            (
                'bts_4g_in_service',
                province_periods.bts_4g_in_service::numeric,
                province_periods.is_bts_4g_comparable
            )
        ) as stock (figure, figure_value, is_comparable)
    where stock.is_comparable and stock.figure_value is not null

),

growth as (

    {{ compare_with_earlier('complete_stocks', ['locality_id', 'figure'], 'figure_value') }}

),

ratios as (

    select
        province_periods.*,
        wifi_growth.previous_period as wifi_points_previous_period,
        wifi_growth.growth_pct as wifi_points_growth_pct,
        wifi_growth.growth_vs_year_end_pct as wifi_points_growth_vs_year_end_pct,
        bts_growth.previous_period as bts_4g_previous_period,
        bts_growth.growth_pct as bts_4g_growth_pct,
        bts_growth.growth_vs_year_end_pct as bts_4g_growth_vs_year_end_pct,
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
    left join growth as wifi_growth
        on
            province_periods.locality_id = wifi_growth.locality_id
            and province_periods.period = wifi_growth.period
            and wifi_growth.figure = 'wifi_points_in_service'
    left join growth as bts_growth
        on
            province_periods.locality_id = bts_growth.locality_id
            and province_periods.period = bts_growth.period
            and bts_growth.figure = 'bts_4g_in_service'

),

ranked as (

    select
        {% for figure, group in ranked_figures.items() -%}
        case
            when ratios.is_{{ group }}_comparable and ratios.{{ figure }} is not null
                then rank() over (
                    partition by
                        ratios.period,
                        ratios.is_{{ group }}_comparable and ratios.{{ figure }} is not null
                    order by ratios.{{ figure }} desc
                )
        end as {{ figure }}_rank,
        {% endfor -%}
        case
            when ratios.dti_score is not null
                then rank() over (
                    partition by ratios.period, ratios.dti_score is not null
                    order by ratios.dti_score desc
                )
        end as dti_score_rank,
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
        dti_score_rank::integer as dti_score_rank,
        units_expected::integer as units_expected,
        units_reporting::integer as units_reporting,
        is_complete,
        bts_4g_previous_period,
        bts_4g_growth_vs_year_end_pct,
        wifi_points_previous_period,
        wifi_points_growth_pct,
        wifi_points_growth_vs_year_end_pct,
        dti_provinces_expected::integer as dti_provinces_expected,
        dti_provinces_reporting::integer as dti_provinces_reporting,
        partial_figures

    from ranked

)

select * from final
