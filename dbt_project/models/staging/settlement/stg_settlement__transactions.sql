-- Settlement transactions typed and renamed, one row per delivered row (every version, every delivery).
-- A view that only renames and casts, so a filter on load_id reaches raw's BRIN index: the incremental
-- per-account daily aggregate reads it one batch of loads at a time, through int_settlement_transactions_deduplicated.
-- The counterparty stays as delivered (either its account or its name can be a person's: the owner's card and
-- name on a top-up), so the view lives in schema pii, which no reader can enter, like raw itself; the one model
-- that reads the counterparty keeps only counts and sums per firm. The file comes from the manifest, by a left
-- join on its unique key, which PostgreSQL leaves out of any query that does not read it.
{{ config(materialized='view', schema='pii') }}

with settlement_transactions as (
    select
        raw_rows.*,
        load_manifest.source_file as _source_file
    from {{ source('settlement', 'settlement_transactions') }} as raw_rows
    left join {{ source('audit', 'load_manifest') }} as load_manifest
        on raw_rows._load_id = load_manifest.load_id
),

renamed as (
    select
        txn_id,
        account_no,
        uscc,
        txn_ts::timestamp as txn_at,
        txn_ts::date as booking_date,
        direction,
        amount::numeric(18, 2) as amount,
        counterparty_account,
        counterparty_name,
        channel,
        balance_after::numeric(18, 2) as balance_after,
        _delivery_date as delivered_on,
        _source_file as source_file,
        _line_number as line_number,
        _load_id as load_id
    from settlement_transactions
)

select * from renamed
