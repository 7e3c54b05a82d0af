-- The raw rows of every settlement transaction delivered more than once (in several deliveries, or in several
-- parts of one): which row stands for its delivery (is_kept) and the date a later delivery superseded it
-- (superseded_on). Every other row of raw is its transaction's only version: the view
-- int_settlement_transactions_deduplicated passes those straight through, so the history is never copied.
-- Rebuilt whole on every build from the loads that can share a transaction with another load (macro
-- settlement_loads_sharing_keys, found from the manifest's key ranges), read by _load_id: daily files, whose
-- transaction ids grow with the day, share none, so this table holds only corrections and repeated parts.
{{ config(
    materialized='table',
    indexes=[
        {'columns': ['load_id', 'delivered_on', 'line_number'], 'unique': true},
        {'columns': ['txn_id']},
    ],
) }}
{#- (load_id, delivered_on, line_number) names a raw row: a load is one file, delivered on one date (the dev
    fixture's rows, of no load, are many files: their delivery dates tell them apart). Unique by its index, and
    the key the deduplicated view joins on. #}

with shared_rows as (
    select
        txn_id,
        delivered_on,
        load_id,
        line_number
    from {{ ref('stg_settlement__transactions') }}
    where load_id in ({{ literal_list(settlement_loads_sharing_keys(), 'integer') }})
        or {{ settlement_load_is_unrecorded('load_id') }}
),

repeated_ids as (
    select txn_id
    from shared_rows
    group by txn_id
    having count(*) > 1
),

repeated_rows as (
    select
        *,
        -- a key repeated within one delivery (its parts): the loader lets only identical versions into raw
        -- (another version is a conflict, quarantined), so which line stands for the delivery changes no value
        row_number() over (
            partition by txn_id, delivered_on order by load_id desc, line_number desc
        ) = 1 as is_kept
    from shared_rows
    where txn_id in (select repeated_ids.txn_id from repeated_ids)
),

supersessions as (
    select
        load_id,
        delivered_on,
        line_number,
        lead(delivered_on) over (partition by txn_id order by delivered_on) as superseded_on
    from repeated_rows
    where is_kept
)

select
    repeated_rows.txn_id,
    repeated_rows.delivered_on,
    repeated_rows.load_id,
    repeated_rows.line_number,
    repeated_rows.is_kept,
    supersessions.superseded_on
from repeated_rows
left join supersessions
    on repeated_rows.load_id = supersessions.load_id
        and repeated_rows.delivered_on = supersessions.delivered_on
        and repeated_rows.line_number = supersessions.line_number
