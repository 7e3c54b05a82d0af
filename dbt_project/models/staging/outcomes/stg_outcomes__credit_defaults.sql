-- One row per firm and default, as known on the as-of date (delivered on or before it).
-- Kept while the feed's deliveries known on the as-of date stay the same (macros/input_keys.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ truncate_when_input_key_changes(feed_input_key(source('outcomes', 'credit_defaults'))) }}",
) }}

with credit_defaults as (
    {{ latest_delivered(source('outcomes', 'credit_defaults'), ['uscc', 'default_date']) }}
),

renamed as (
    select
        uscc,
        default_date::date as default_date,
        _delivery_date as delivered_on,
        _source_file as source_file
    from credit_defaults
)

select
    *,
    {{ feed_input_key(source('outcomes', 'credit_defaults')) }} as input_key
from renamed
{{ unless_input_key_kept() }}
