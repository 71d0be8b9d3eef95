-- A table, not a view: read several times by the scorecard, and the planner needs its real
-- row counts (as a view, int_scorecard__dti took 528 s on 10,000 submissions instead of 3).
{{ config(materialized='table') }}

-- How much of each 2025 province the reports of a period cover: one row per 2025 province,
-- period that a unit it holds reported, and figure group (as in
-- int_scorecard__contributions: wifi, bts_4g, network_points, network_units, plan_indicators,
-- plan_criteria, goals), plus the group `any` (a report of any figure).
--
-- The province's units are those one level below a province in the period's administrative
-- era: the districts of its predecessor provinces for a period that ended by 30/6/2025 (Hải
-- Phòng: Hải Phòng's and Hải Dương's), its communes for a later one. A unit is covered for a
-- group when it reported the group, when the province that held it did (a legacy province
-- for its districts, the 2025 province for its communes), or, for a legacy district, when
-- every one of its communes did. The group is complete when every unit is covered.
-- `provinces_expected`: the provinces whose province-level reports make up the province in
-- the period's era (its predecessors, or itself after 30/6/2025), for the DTI.

with

latest as not materialized (

    select * from {{ ref('int_submissions__latest') }}

),

contributions as (

    select * from {{ ref('int_scorecard__contributions') }}

),

localities as not materialized (

    select * from {{ ref('int_localities') }}

),

units as (

    select
        locality_key as unit_key,
        locality_era as era,
        locality_code,
        province_code_2025,
        case
            when locality_era = 'legacy' then province_locality_key
            else province_2025_locality_key
        end as province_key

    from localities
    where
        (locality_era = 'legacy' and locality_level = 'district')
        or (locality_era = '2025' and locality_level = 'commune')

),

predecessors as (

    select
        province_code_2025,
        count(*) as legacy_provinces

    from localities
    where locality_era = 'legacy' and locality_level = 'province'
    group by province_code_2025

),

communes_per_district as (

    select
        district_code,
        count(*) as communes

    from localities
    where locality_era = 'legacy' and locality_level = 'commune'
    group by district_code

),

groups_reported as (

    select
        submission_id,
        'any' as figure_group

    from latest
    union
    select
        submission_id,
        figure_group

    from contributions

),

reports as (

    select
        latest.locality_key,
        latest.locality_era,
        latest.locality_level,
        latest.district_code,
        latest.province_code_2025,
        latest.period,
        case when latest.period_end < date '2025-07-01' then 'legacy' else '2025' end as era,
        groups_reported.figure_group

    from latest
    inner join groups_reported
        on latest.submission_id = groups_reported.submission_id

),

communes_reporting as (

    select
        district_code,
        period,
        figure_group,
        count(*) as communes_reporting

    from reports
    where locality_era = 'legacy' and locality_level = 'commune'
    group by district_code, period, figure_group

),

province_groups as (

    select distinct
        province_code_2025,
        period,
        era,
        figure_group

    from reports

),

unit_coverage as (

    select
        province_groups.province_code_2025,
        province_groups.period,
        province_groups.figure_group,
        units.unit_key,
        unit_report.locality_key is not null
        or province_report.locality_key is not null
        or coalesce(
            communes_reporting.communes_reporting = communes_per_district.communes, false
        ) as is_covered

    from province_groups
    inner join units
        on
            province_groups.province_code_2025 = units.province_code_2025
            and province_groups.era = units.era
    left join reports as unit_report
        on
            units.unit_key = unit_report.locality_key
            and province_groups.period = unit_report.period
            and province_groups.figure_group = unit_report.figure_group
    left join reports as province_report
        on
            units.province_key = province_report.locality_key
            and province_groups.period = province_report.period
            and province_groups.figure_group = province_report.figure_group
    left join communes_reporting
        on
            units.era = 'legacy'
            and units.locality_code = communes_reporting.district_code
            and province_groups.period = communes_reporting.period
            and province_groups.figure_group = communes_reporting.figure_group
    left join communes_per_district
        on
            units.era = 'legacy'
            and units.locality_code = communes_per_district.district_code

),

covered as (

    select
        province_code_2025,
        period,
        figure_group,
        count(*) as units_expected,
        count(*) filter (where is_covered) as units_reporting

    from unit_coverage
    group by province_code_2025, period, figure_group

),

final as (

    select
        province_groups.province_code_2025,
        province_groups.period,
        province_groups.figure_group,
        province_groups.era,
        case
            when province_groups.era = 'legacy' then predecessors.legacy_provinces
            else 1
        end as provinces_expected,
        covered.units_expected,
        covered.units_reporting,
        covered.units_reporting = covered.units_expected as is_complete

    from province_groups
    inner join covered
        on
            province_groups.province_code_2025 = covered.province_code_2025
            and province_groups.period = covered.period
            and province_groups.figure_group = covered.figure_group
    left join predecessors
        on province_groups.province_code_2025 = predecessors.province_code_2025

)

select * from final
