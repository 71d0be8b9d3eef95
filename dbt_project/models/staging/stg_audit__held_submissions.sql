-- Submissions held back by a critical raw data-quality failure and not released yet.

with

source as (

    select * from {{ source('audit', 'held_submissions') }}

),

renamed as (

    select
        submission_id,
        validation_id as held_by_validation_id,
        reason as held_reason,
        held_at

    from source
    where released_at is null

)

select * from renamed
