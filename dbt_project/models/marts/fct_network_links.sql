-- Built after the dimensions its foreign keys point to, so that its relationships tests
-- (run with the model, also in Airflow) always find them.
-- depends_on: {{ ref('dim_locality') }}
-- depends_on: {{ ref('dim_period') }}

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

network as (

    select * from {{ ref('int_network_links__resolved') }}

),

final as (

    select
        {{ surrogate_key(['latest.locality_id', 'latest.period']) }} as network_links_key,
        latest.locality_id,
        latest.locality_code,
        latest.period,
        network.connection_points,
        network.units_connected,
        network.units_total,
        {{ pct('network.units_connected', 'network.units_total') }} as connection_rate_pct,
        network.reported_connection_rate_pct,
        network.units_listed,
        network.counts_source,
        latest.submission_id,
        network.rate_source

    from network
    inner join latest
        on network.submission_id = latest.submission_id

)

select * from final
