-- A table, not a view: read several times by the scorecard, and the planner needs its real
-- row counts (as a view, int_scorecard__dti took 528 s on 10,000 submissions instead of 3).
{{ config(materialized='table') }}

-- The DTI of each 2025 province and reported period by the official rule (DTI 2024 for 34
-- provinces, published 21/10/2025): for a period that ended by 30/6/2025, the mean of its
-- predecessor provinces' province-level DTI for that period, only when every predecessor
-- reported one; for a later period, its own province-level DTI. District and commune scores
-- never enter it.

with

coverage as (

    select * from {{ ref('int_scorecard__coverage') }}
    where figure_group = 'any'

),

figures as (

    select * from {{ ref('int_locality_periods__figures') }}

),

province_scores as (

    select
        province_code_2025,
        period,
        dti_score

    from figures
    where locality_level = 'province' and dti_score is not null

),

scored as (

    select
        coverage.province_code_2025,
        coverage.period,
        coverage.provinces_expected as dti_provinces_expected,
        count(province_scores.dti_score) as dti_provinces_reporting,
        avg(province_scores.dti_score) as dti_mean

    from coverage
    left join province_scores
        on
            coverage.province_code_2025 = province_scores.province_code_2025
            and coverage.period = province_scores.period
    group by coverage.province_code_2025, coverage.period, coverage.provinces_expected

),

final as (

    select
        province_code_2025,
        period,
        dti_provinces_expected,
        dti_provinces_reporting,
        case
            when dti_provinces_reporting = dti_provinces_expected then round(dti_mean, 4)
        end as dti_score

    from scored

)

select * from final
