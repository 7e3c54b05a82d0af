-- One row per firm and rating year, the latest rating delivered on or before the as-of date.
-- Kept while the feed's deliveries known on the as-of date stay the same (macros/input_keys.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ truncate_when_input_key_changes(feed_input_key(source('tax', 'tax_credit_ratings'))) }}",
) }}

with tax_credit_ratings as (
    {{ latest_delivered(source('tax', 'tax_credit_ratings'), ['uscc', 'rating_year']) }}
),

renamed as (
    select
        uscc,
        rating_year::integer as rating_year,
        credit_rating,
        published_date::date as published_date,
        _delivery_date as delivered_on,
        _source_file as source_file
    from tax_credit_ratings
)

select
    *,
    {{ feed_input_key(source('tax', 'tax_credit_ratings')) }} as input_key
from renamed
{{ unless_input_key_kept() }}
