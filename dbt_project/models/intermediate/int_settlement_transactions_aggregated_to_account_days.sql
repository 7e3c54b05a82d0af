-- Settlement per account and booking day: the compact form every settlement window reads (30/90 days,
-- 3/6/12 months, balances). Grain: account, booking day and the delivery that carried the rows (delivered_on,
-- superseded_on), so that an as-of date picks exactly the versions it knew. Incremental, keyed by delivery: a
-- build re-derives the delivery dates loaded since its last build, and those sharing a transaction with them
-- (macro settlement_deliveries_to_refresh), reading their rows from raw by load_id through the deduplicated
-- view. The one persisted copy of the settlement history, at half raw's size.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_deliveries',
    on_schema_change='fail',
    pre_hook=[
        "{{ delete_settlement_deliveries_to_refresh() }}",
        "{{ prefer_parallel_plans() }}",
        "{{ drop_retired_indexes(['uscc, booking_date']) }}",
    ],
    indexes=[
        {'columns': ['account_no', 'booking_date', 'delivered_on', "(coalesce(superseded_on, 'infinity'))"],
         'unique': true},
        {'columns': ['batch_load_id']},
        {'columns': ['delivered_on'], 'type': 'brin'},
        {'columns': ['booking_date'], 'type': 'brin'},
    ],
) }}
{#- The grain (account, booking day, delivery, superseded_on) is unique by its index, checked on every write
    rather than by a test that re-reads the batch; the index also finds an account's latest days (balances,
    last inflows), so no index on the firm is kept (the pre-hook drops the one older versions made). The table
    is written in delivery order by the daily builds, so BRIN finds a delivery date as well as a btree, for a
    fraction of its size and build time. The group by leads with booking_date, so that the first build, which
    sorts every row by the group's keys, writes the table in booking order as the daily builds append it: a
    window of days then reads its share of the table through the BRIN index (the last 90 days: 66 k of 349 k
    pages on `large`), not all of it. #}
-- depends_on: {{ ref('int_settlement_transaction_versions') }}

with transactions as (
    select *
    from {{ ref('int_settlement_transactions_deduplicated') }}
    {% if is_incremental() -%}
    -- whole deliveries: their current loads in raw, as literals (see literal_list)
    where load_id in ({{ literal_list(settlement_loads_in_raw(literal_list(settlement_deliveries_to_refresh(this))),
                                      'integer') }})
    {%- endif %}
)

select
    uscc,
    account_no,
    booking_date,
    delivered_on,
    superseded_on,
    coalesce(sum(amount) filter (where direction = 'C'), 0)::numeric(18, 2) as inflow,
    coalesce(sum(amount) filter (where direction = 'D'), 0)::numeric(18, 2) as outflow,
    (count(*) filter (where direction = 'C'))::integer as inflow_count,
    (count(*) filter (where direction = 'D'))::integer as outflow_count,
    -- the day's last transaction and the balance after it: the account's closing balance of the day
    max(txn_at) as last_txn_at,
    (array_agg(balance_after order by txn_at desc, txn_id desc))[1] as closing_balance,
    {{ settlement_batch_load_id() }} as batch_load_id
from transactions
group by booking_date, account_no, uscc, delivered_on, superseded_on
