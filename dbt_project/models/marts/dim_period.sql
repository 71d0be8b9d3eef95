-- Every reporting period: a spine of all years, halves, quarters and months of the spine
-- years, plus any other period found in the submissions.

{%- set first_year = var('period_spine_first_year') %}
{%- set last_year = var('period_spine_last_year') %}

with

submissions as (

    select * from {{ ref('stg_raw__submissions') }}

),

period_types as (

    select * from (
        values
        ('year', 12, 1),
        ('half', 6, 2),
        ('quarter', 3, 4),
        ('month', 1, 12)
    ) as period_types (period_type, months_per_period, periods_per_year)

),

spine as (

    select
        years.period_year,
        period_types.period_type,
        parts.period_number,
        make_date(
            years.period_year,
            (parts.period_number - 1) * period_types.months_per_period + 1,
            1
        ) as period_start,
        period_types.months_per_period

    from generate_series({{ first_year }}, {{ last_year }}) as years (period_year)
    cross join period_types
    cross join lateral generate_series(1, period_types.periods_per_year) as parts (period_number)

),

spine_periods as (

    select
        case period_type
            when 'year' then period_year::text
            when 'half' then period_year || '-H' || period_number
            when 'quarter' then period_year || '-Q' || period_number
            else period_year || '-' || lpad(period_number::text, 2, '0')
        end as period,
        period_type,
        period_start,
        (period_start + make_interval(months => months_per_period) - interval '1 day')::date
            as period_end

    from spine

),

reported_periods as (

    select distinct
        period,
        period_type,
        period_start,
        period_end

    from submissions
    where not exists (
        select 1
        from spine_periods
        where spine_periods.period = submissions.period
    )

),

periods as (

    select * from spine_periods
    union all
    select * from reported_periods

),

final as (

    select
        period,
        period_type,
        period_start,
        period_end,
        extract(year from period_start)::integer as year,
        case period_type
            when 'half' then (extract(month from period_start)::integer + 5) / 6
            when 'quarter' then extract(quarter from period_start)::integer
            when 'month' then extract(month from period_start)::integer
            else 1
        end as period_number,
        case
            when period_end <= date '2025-06-30' then 'legacy'
            when period_start >= date '2025-07-01' then '2025'
            else 'straddles'
        end as administrative_era,
        case
            when
                period_start < date '2025-07-01' and period_end >= date '2025-07-01'
                then period_end
            else period_start
        end as locality_resolution_date

    from periods

)

select * from final
