-- Every settlement delivery date once, with the earliest booking day it carried or superseded and the load
-- that last wrote it: what tells a window of complete months whether a delivery changed it
-- (macro settlement_months_known_key). Incremental: a build reads only the account-days written since its
-- last one (whole deliveries, see int_settlement_transactions_aggregated_to_account_days).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='delivered_on',
    on_schema_change='fail',
) }}

{#- The account-days written since the last build, read by both arms of `touched`, each grouped on its own: a
    CTE read twice is materialised by one process (the first build's 20 M account-days took 8.3 s that way,
    2.0 s as two parallel aggregates; large, idle machine). -#}
{%- set written_since_last_build -%}
{%- if is_incremental() -%}
batch_load_id > (select coalesce(max(known.batch_load_id), 0) from {{ this }} as known)
{%- else -%}
true
{%- endif -%}
{%- endset %}

with touched as (
    -- a delivery touches the days of its own rows and of the rows it superseded (those leave the answer)
    select
        delivered_on,
        min(booking_date) as earliest_booking_date
    from {{ ref('int_settlement_transactions_aggregated_to_account_days') }}
    where {{ written_since_last_build }}
    group by delivered_on
    union all
    select
        superseded_on as delivered_on,
        min(booking_date) as earliest_booking_date
    from {{ ref('int_settlement_transactions_aggregated_to_account_days') }}
    where superseded_on is not null and {{ written_since_last_build }}
    group by superseded_on
    {% if is_incremental() -%}
    union all
    -- a delivery re-derived to no rows at all (a corrected file that is empty) is written again all the same
    select
        delivery_date as delivered_on,
        null::date as earliest_booking_date
    from ({{ settlement_deliveries_loaded_since(this) }}) as refreshed
    {%- endif %}
),

deliveries as (
    select
        delivered_on,
        min(earliest_booking_date) as earliest_booking_date
    from touched
    group by delivered_on
)

select
    deliveries.delivered_on,
    {% if is_incremental() -%}
    -- a corrected delivery keeps the earliest day it ever touched: a key that changes once too often is safe
    least(deliveries.earliest_booking_date, known.earliest_booking_date) as earliest_booking_date,
    {%- else -%}
    deliveries.earliest_booking_date,
    {%- endif %}
    {{ settlement_batch_load_id() }} as batch_load_id
from deliveries
{% if is_incremental() -%}
left join {{ this }} as known on deliveries.delivered_on = known.delivered_on
{%- endif %}
