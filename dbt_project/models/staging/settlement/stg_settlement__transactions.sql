{{ config(materialized='view') }}

-- Settlement transactions typed and renamed, one row per delivered row (every version, every delivery).
-- A view that only renames, casts and pseudonymises, so a filter on load_id reaches raw's BRIN index: the
-- incremental int_settlement_transactions_deduplicated reads it one batch of loads at a time and is what
-- everything downstream uses. The file comes from the manifest, and each counterparty's pseudonyms from their
-- cache, by left joins on unique keys, which PostgreSQL leaves out of any query that does not read them.
with settlement_transactions as (
    select
        raw_rows.*,
        load_manifest.source_file as _source_file,
        account_pseudonyms.pseudonym as _account_pseudonym,
        name_pseudonyms.pseudonym as _name_pseudonym,
        name_pseudonyms.normalised_pseudonym as _normalised_name_pseudonym
    from {{ source('settlement', 'settlement_transactions') }} as raw_rows
    left join {{ source('audit', 'load_manifest') }} as load_manifest
        on raw_rows._load_id = load_manifest.load_id
    left join {{ ref('stg_settlement__counterparty_pseudonyms') }} as account_pseudonyms
        on raw_rows.counterparty_account = account_pseudonyms.clear_value
    left join {{ ref('stg_settlement__counterparty_pseudonyms') }} as name_pseudonyms
        on raw_rows.counterparty_name = name_pseudonyms.clear_value
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
        -- person's (the owner's card and name on a top-up): staging passes on no counterparty in clear. From the
        -- cache, else computed (coalesce evaluates the macro only where the cache has no pseudonym)
        case
            when counterparty_account is not null
                then coalesce(_account_pseudonym, {{ hash_pii('counterparty_account') }})
            else coalesce(_normalised_name_pseudonym, {{ counterparty_name_pseudonym('counterparty_name') }})
        end as counterparty_key,
        -- matches the legal representative's pseudonymised name (owner top-ups)
        coalesce(_name_pseudonym, {{ hash_pii('counterparty_name') }}) as counterparty_name_hash,
        channel,
        balance_after::numeric(18, 2) as balance_after,
        _delivery_date as delivered_on,
        _source_file as source_file,
        _line_number as line_number,
        _load_id as load_id
    from settlement_transactions
)

select * from renamed
