-- Every settlement transaction once per delivery that carried it, with the date a later delivery superseded
-- it (superseded_on; NULL while current), so that any as-of date sees exactly the version it knew
-- (macro settlement_known_on_as_of_date). A view over raw (through staging): a row is its transaction's only
-- version unless int_settlement_transaction_versions lists it, which then says whether it stands for its
-- delivery and when it was superseded. Persisting this as a table copied every transaction ever loaded (7.7 GB,
-- the largest part of a first build on `large`), while raw already holds them; a filter on load_id reaches raw's
-- BRIN index through the view, so an incremental reader still reads only the loads it names. It passes on the
-- counterparty as delivered (for int_settlement_counterparties_aggregated_to_enterprises), so it lives in schema
-- pii, which no reader can enter, as its staging view does.
{{ config(materialized='view', schema='pii') }}

select
    transactions.txn_id,
    transactions.account_no,
    transactions.uscc,
    transactions.txn_at,
    transactions.booking_date,
    transactions.direction,
    transactions.amount,
    transactions.counterparty_account,
    transactions.counterparty_name,
    transactions.channel,
    transactions.balance_after,
    transactions.delivered_on,
    versions.superseded_on,
    transactions.line_number,
    transactions.load_id
from {{ ref('stg_settlement__transactions') }} as transactions
left join {{ ref('int_settlement_transaction_versions') }} as versions
    on transactions.load_id = versions.load_id
        and transactions.delivered_on = versions.delivered_on
        and transactions.line_number = versions.line_number
where versions.is_kept is not false
