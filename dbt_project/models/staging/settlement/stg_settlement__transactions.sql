-- One row per settlement transaction, as last delivered on or before the as-of date.
with settlement_transactions as (
    {{ latest_delivered(source('settlement', 'settlement_transactions'), ['txn_id']) }}
),

renamed as (
    select
        txn_id,
        account_no,
        uscc,
        txn_ts::timestamp as txn_at,
        date_trunc('month', txn_ts::timestamp)::date as txn_month,
        direction,
        amount::numeric(18, 2) as amount,
        counterparty_name,
        counterparty_account,
        channel,
        balance_after::numeric(18, 2) as balance_after,
        _delivery_date as delivered_on,
        _source_file as source_file
    from settlement_transactions
)

select * from renamed
