-- One row per utility bill, as last delivered on or before the as-of date
-- (a bill is typically delivered when issued and again once paid).
-- Kept while the feed's deliveries known on the as-of date stay the same (macros/input_keys.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ truncate_when_input_key_changes(feed_input_key(source('utilities', 'utility_bills'))) }}",
) }}

with utility_bills as (
    {{ latest_delivered(source('utilities', 'utility_bills'), ['bill_id']) }}
),

renamed as (
    select
        bill_id,
        uscc,
        meter_id,
        utility_type,
        billing_month,
        to_date(billing_month, 'YYYY-MM') as billing_month_start,
        consumption::numeric as consumption,
        unit,
        amount::numeric(18, 2) as amount,
        due_date::date as due_date,
        paid_date::date as paid_date,
        _delivery_date as delivered_on,
        _source_file as source_file
    from utility_bills
)

select
    *,
    {{ feed_input_key(source('utilities', 'utility_bills')) }} as input_key
from renamed
{{ unless_input_key_kept() }}
