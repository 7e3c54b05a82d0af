{{ config(materialized='view') }}

-- Settlement transactions typed and renamed, one row per delivered row (every version, every delivery).
-- A view that only renames and casts, so a filter on load_id reaches raw's BRIN index: the incremental
-- int_settlement_transactions_deduplicated reads it one batch of loads at a time and is what everything
-- downstream uses. The file comes from the manifest by a left join on its key, which PostgreSQL leaves out of
-- any query that does not read source_file.
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
        -- a counterparty is its account when known, else its normalised name; pseudonymised, since either can be a
        -- person's (the owner's card and name on a top-up): staging passes on no counterparty in clear
        {{ hash_pii("coalesce(counterparty_account, " ~ normalise_company_name('counterparty_name') ~ ")") }}
            as counterparty_key,
        -- matches the legal representative's pseudonymised name (owner top-ups)
        {{ hash_pii('counterparty_name') }} as counterparty_name_hash,
        channel,
        balance_after::numeric(18, 2) as balance_after,
        _delivery_date as delivered_on,
        _source_file as source_file,
        _line_number as line_number,
        _load_id as load_id
    from settlement_transactions
)

select * from renamed
