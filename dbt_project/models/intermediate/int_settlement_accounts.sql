-- Every settlement account once, with its firm and the first delivery that carried it: the list the balance
-- look-ups walk (each account's latest day before a date, by index), so that they never scan the history.
-- Incremental: a build adds the accounts of the deliveries written since its last build.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='account_no',
    on_schema_change='fail',
) }}

with new_days as (
    select
        account_no,
        uscc,
        min(delivered_on) as first_delivered_on
    from {{ ref('int_settlement_transactions_aggregated_to_account_days') }}
    {% if is_incremental() -%}
    where batch_load_id > (select coalesce(max(known.batch_load_id), 0) from {{ this }} as known)
    {%- endif %}
    group by account_no, uscc
),

accounts as (
    select
        new_days.account_no,
        new_days.uscc,
        {% if is_incremental() -%}
        least(new_days.first_delivered_on, known.first_delivered_on) as first_delivered_on
        {%- else -%}
        new_days.first_delivered_on
        {%- endif %}
    from new_days
    {% if is_incremental() -%}
    left join {{ this }} as known on new_days.account_no = known.account_no
    {%- endif %}
)

select
    account_no,
    uscc,
    first_delivered_on,
    {{ settlement_batch_load_id() }} as batch_load_id
from accounts
