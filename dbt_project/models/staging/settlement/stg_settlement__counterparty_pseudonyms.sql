-- Each counterparty account or name delivered in settlement, with its pseudonyms: computed once per value, not
-- once per row (two HMACs per row were most of the first full build of the deduplicated settlement: about 90 s of
-- CPU for 26.7 M rows, against about a second for the 0.5 M distinct values). A cache in schema pii, which no
-- reader can enter, since it holds the values in clear; stg_settlement__transactions looks each row's values up
-- here and computes what it does not find, so a value missing here (a load committed after this build read raw)
-- costs time, never a wrong pseudonym. Incremental: a build adds the values of the loads after the latest one
-- it has seen. A new PII key drops it (sme_credit.access), as it drops every derived pseudonym.
{{ config(
    materialized='incremental',
    schema='pii',
    on_schema_change='fail',
    indexes=[{'columns': ['clear_value'], 'unique': true}],
) }}
{#- The unique index keeps one row per value, and lets PostgreSQL drop the view's lookups from any query that
    reads no pseudonym. #}

with delivered_pairs as (
    -- one pass over the loads' rows: far fewer pairs than rows
    select
        counterparty_account,
        counterparty_name,
        max(_load_id) as load_id
    from {{ source('settlement', 'settlement_transactions') }}
    {% if is_incremental() -%}
    where _load_id > (select coalesce(max(seen.load_id), 0) from {{ this }} as seen)
    {%- endif %}
    group by counterparty_account, counterparty_name
),

delivered_values as (
    select
        counterparty_account as clear_value,
        load_id
    from delivered_pairs
    where counterparty_account is not null
    union all
    select
        counterparty_name as clear_value,
        load_id
    from delivered_pairs
    where counterparty_name is not null
),

new_values as (
    select
        clear_value,
        max(load_id) as load_id
    from delivered_values
    {% if is_incremental() -%}
    where not exists (select from {{ this }} as known where known.clear_value = delivered_values.clear_value)
    {%- endif %}
    group by clear_value
)

select
    clear_value,
    {{ hash_pii('clear_value') }} as pseudonym,
    {{ counterparty_name_pseudonym('clear_value') }} as normalised_pseudonym,
    load_id
from new_values
