-- A table, not a view: read several times by the scorecard, and the planner needs its real
-- row counts (as a view, int_scorecard__dti took 528 s on 10,000 submissions instead of 3).
{{ config(materialized='table') }}

-- What each latest submission contributes to the scorecard of the 2025 province that holds
-- its locality, one row per submission and count it reported (the DTI is not summed: see
-- int_scorecard__dti).
--
-- No double counting: a figure group (e.g. network units connected and total) of a report
-- counts only when no report that covers it - of its legacy district, its legacy province
-- or its 2025 province, for the same period - has that figure group too. So the most
-- aggregated report wins, and where the province did not report a figure the figures of its
-- lower units are summed. Numerator and denominator of a ratio share one group, so the ratio
-- is always recomputed from one consistent set of reports.

with

figures as (

    select * from {{ ref('int_locality_periods__figures') }}

),

unpivoted as (

    select
        figures.submission_id,
        figures.locality_key,
        figures.locality_level,
        figures.locality_era,
        figures.province_code,
        figures.district_code,
        figures.province_code_2025,
        figures.period,
        figure_values.figure_group,
        figure_values.figure,
        figure_values.figure_value

    from figures
    cross join
        lateral (
            values
            ('wifi', 'wifi_points_in_service', figures.wifi_points_in_service::numeric),
            ('bts_4g', 'bts_4g_in_service', figures.bts_4g_in_service::numeric),
            ('bts_4g', 'bts_4g_new', figures.bts_4g_new::numeric),
            (
                'network_points',
                'network_connection_points',
                figures.network_connection_points::numeric
            ),
            ('network_units', 'network_units_connected', figures.network_units_connected::numeric),
            ('network_units', 'network_units_total', figures.network_units_total::numeric),
            (
                'plan_indicators',
                'plan_indicators_on_track',
                figures.plan_indicators_on_track::numeric
            ),
            ('plan_indicators', 'plan_indicators_total', figures.plan_indicators_total::numeric),
            ('plan_criteria', 'plan_criteria_on_track', figures.plan_criteria_on_track::numeric),
            ('plan_criteria', 'plan_criteria_total', figures.plan_criteria_total::numeric),
            ('goals', 'goals_total', figures.goals_total::numeric),
            ('goals', 'goals_achieved', figures.goals_achieved::numeric),
            ('goals', 'goals_in_progress', figures.goals_in_progress::numeric)
        ) as figure_values (figure_group, figure, figure_value)
    where figure_values.figure_value is not null

),

groups_reported as (

    select distinct
        locality_key,
        period,
        figure_group

    from unpivoted

),

covering_units as (

    -- The units whose report covers this one, most aggregated first.
    select
        unpivoted.submission_id,
        unpivoted.figure_group,
        unpivoted.period,
        covering.covering_key,
        covering.covering_rank

    from unpivoted
    cross join
        lateral (
            values
            (
                '2025:province:' || unpivoted.province_code_2025,
                1,
                not (unpivoted.locality_era = '2025' and unpivoted.locality_level = 'province')
            ),
            (
                'legacy:province:' || unpivoted.province_code,
                2,
                unpivoted.locality_era = 'legacy' and unpivoted.locality_level != 'province'
            ),
            (
                'legacy:district:' || unpivoted.district_code,
                3,
                unpivoted.locality_era = 'legacy'
                and unpivoted.locality_level = 'commune'
                and unpivoted.district_code is not null
            )
        ) as covering (covering_key, covering_rank, applies)
    where covering.applies

),

covered as (

    select distinct on (covering_units.submission_id, covering_units.figure_group)
        covering_units.submission_id,
        covering_units.figure_group,
        covering_units.covering_key as covered_by_locality_key

    from covering_units
    inner join groups_reported
        on
            covering_units.covering_key = groups_reported.locality_key
            and covering_units.period = groups_reported.period
            and covering_units.figure_group = groups_reported.figure_group
    order by
        covering_units.submission_id,
        covering_units.figure_group,
        covering_units.covering_rank

),

final as (

    select
        unpivoted.submission_id,
        unpivoted.locality_key,
        unpivoted.locality_level,
        unpivoted.locality_era,
        unpivoted.province_code_2025,
        unpivoted.period,
        unpivoted.figure_group,
        unpivoted.figure,
        unpivoted.figure_value,
        covered.covered_by_locality_key,
        covered.covered_by_locality_key is null as is_counted

    from unpivoted
    left join covered
        on
            unpivoted.submission_id = covered.submission_id
            and unpivoted.figure_group = covered.figure_group

)

select * from final
