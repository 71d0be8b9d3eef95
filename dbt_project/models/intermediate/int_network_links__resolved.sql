-- Network counts per latest submission. The connection rate takes its numerator and its
-- denominator from one source of the report, never one from each: the network_units_*
-- indicators when the locality reported both, else the units it listed in network_links (units
-- listed = units that should be connected, connected ones = units connected), else the one
-- indicator it reported (and no rate). Connection points: the indicator, else the connected
-- units listed.

with

latest as not materialized (

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

sourced as (

    select
        submissions_with_network.submission_id,
        reported.network_connection_points,
        reported.network_units_connected,
        reported.network_units_total,
        reported.network_units_connected_pct,
        links_counted.units_listed,
        links_counted.units_listed_connected,
        case
            when
                reported.network_units_connected is not null
                and reported.network_units_total is not null
                then 'indicators'
            when links_counted.submission_id is not null then 'network_links'
            when
                reported.network_units_connected is not null
                or reported.network_units_total is not null
                then 'indicators'
        end as rate_source,
        case
            when reported.network_connection_points is not null then 'indicators'
            when links_counted.submission_id is not null then 'network_links'
        end as connection_points_source

    from submissions_with_network
    left join reported
        on submissions_with_network.submission_id = reported.submission_id
    left join links_counted
        on submissions_with_network.submission_id = links_counted.submission_id

),

resolved as (

    select
        submission_id,
        (
            case connection_points_source
                when 'indicators' then network_connection_points
                else units_listed_connected
            end
        )::integer as connection_points,
        (
            case rate_source
                when 'network_links' then units_listed_connected
                else network_units_connected
            end
        )::integer as units_connected,
        (
            case rate_source
                when 'network_links' then units_listed
                else network_units_total
            end
        )::integer as units_total,
        network_units_connected_pct as reported_connection_rate_pct,
        coalesce(units_listed, 0)::integer as units_listed,
        rate_source,
        case
            when rate_source is null then connection_points_source
            when
                connection_points_source is null or connection_points_source = rate_source
                then rate_source
            else 'indicators+network_links'
        end as counts_source

    from sourced

)

select * from resolved
