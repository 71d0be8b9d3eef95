-- Built after the dimensions its foreign keys point to, so that its relationships tests
-- (run with the model, also in Airflow) always find them.
-- depends_on: {{ ref('dim_locality') }}
-- depends_on: {{ ref('dim_period') }}

-- Stock figures (free Wi-Fi points and 4G BTS in service) per locality, period and figure,
-- with the growth against the previous reported figure (naming its period) and against the
-- previous year-end, and whether the change is plausible (see int_stock_figures__compared).

with

stocks as (

    select * from {{ ref('int_stock_figures__compared') }}

),

final as (

    select
        {{ surrogate_key(['locality_id', 'period', 'figure']) }} as stock_figure_key,
        locality_id,
        locality_code,
        period,
        figure,
        figure_value::bigint as figure_value,
        previous_period,
        previous_value::bigint as previous_value,
        growth_pct,
        year_end_period,
        year_end_value::bigint as year_end_value,
        growth_vs_year_end_pct,
        change_ratio,
        is_change_plausible,
        submission_id

    from stocks

)

select * from final
