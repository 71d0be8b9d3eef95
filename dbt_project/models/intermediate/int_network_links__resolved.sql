-- Network counts per latest submission: the network_* indicators the locality reported, and
-- where it reported none of a count but listed its units in network_links, the count derived
-- from those rows (units listed = units that should be connected; connected units = units
-- connected = connection points).

with

latest as (

    select * from {{ ref('int_submissions__latest') }}

),

indicators as (

    select * from {{ ref('int_indicators__pivoted') }}

),

network_links as (

    select * from {{ ref('stg_raw__network_links') }}

),

links_counted as (

    select
        network_links.submission_id,
        count(*) as units_listed,
        count(*) filter (where network_links.is_connected) as units_listed_connected

    from network_links
    inner join latest
        on network_links.submission_id = latest.submission_id
    group by network_links.submission_id

),

reported as (

    select
        indicators.submission_id,
        indicators.network_connection_points,
        indicators.network_units_connected,
        indicators.network_units_total,
        indicators.network_units_connected_pct

    from indicators
    -- int_indicators__pivoted holds every submission: keep the latest ones.
    inner join latest
        on indicators.submission_id = latest.submission_id
    where
        indicators.network_connection_points is not null
        or indicators.network_units_connected is not null
        or indicators.network_units_total is not null
        or indicators.network_units_connected_pct is not null

),

submissions_with_network as (

    select submission_id from reported
    union
    select submission_id from links_counted

),

resolved as (

    select
        submissions_with_network.submission_id,
        coalesce(
            reported.network_connection_points, links_counted.units_listed_connected
        )::integer as connection_points,
        coalesce(
            reported.network_units_connected, links_counted.units_listed_connected
        )::integer as units_connected,
        coalesce(reported.network_units_total, links_counted.units_listed)::integer as units_total,
        reported.network_units_connected_pct as reported_connection_rate_pct,
        coalesce(links_counted.units_listed, 0)::integer as units_listed,
        case
            when reported.submission_id is null then 'network_links'
            when
                links_counted.submission_id is not null
                and (
                    reported.network_connection_points is null
                    or reported.network_units_connected is null
                    or reported.network_units_total is null
                )
                then 'indicators+network_links'
            else 'indicators'
        end as counts_source

    from submissions_with_network
    left join reported
        on submissions_with_network.submission_id = reported.submission_id
    left join links_counted
        on submissions_with_network.submission_id = links_counted.submission_id

)

select * from resolved
