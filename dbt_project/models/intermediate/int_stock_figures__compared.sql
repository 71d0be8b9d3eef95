-- The stock figures of each latest submission (free Wi-Fi points and 4G BTS in service), each
-- against the same unit's latest report of that figure whose period ended before this one
-- began, whatever its type (the previous figure), and against its figure at the previous
-- year-end (31 December of the year before), with the growth in percent and whether the
-- change is plausible: a stock that falls by more than half or grows more than fivefold is
-- most often a typing error (a warning of the marts gate; the raw gate tells the locality).

with

figures as (

    select * from {{ ref('int_locality_periods__figures') }}

),

stocks as (

    select
        figures.submission_id,
        figures.locality_id,
        figures.locality_code,
        figures.period,
        figures.period_start,
        figures.period_end,
        stock.figure,
        stock.figure_value

    from figures
    cross join
        lateral (
            values
            ('wifi_points_in_service', figures.wifi_points_in_service::numeric),
            ('bts_4g_in_service', figures.bts_4g_in_service::numeric)
        ) as stock (figure, figure_value)
    where stock.figure_value is not null

),

compared as (

    {{ compare_with_earlier('stocks', ['locality_id', 'figure'], 'figure_value') }}

),

final as (

    select
        submission_id,
        locality_id,
        locality_code,
        period,
        figure,
        figure_value,
        previous_period,
        previous_value,
        growth_pct,
        year_end_period,
        year_end_value,
        growth_vs_year_end_pct,
        round(figure_value / nullif(previous_value, 0), 3) as change_ratio,
        case
            when previous_value > 0
                then figure_value * 2 >= previous_value and figure_value <= 5 * previous_value
        end as is_change_plausible

    from compared

)

select * from final
