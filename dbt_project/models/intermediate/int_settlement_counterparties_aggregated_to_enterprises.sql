-- Counterparty features per firm over the 12-month window: how many counterparties, and how concentrated
-- the inflows are. A table, like int_settlement_transactions_aggregated_to_months: it reads the transactions
-- once per build instead of once per query.
{{ config(materialized='table') }}

with window_transactions as (
    select *
    from {{ ref('stg_settlement__transactions') }}
    where {{ in_window('txn_month', 12) }}
),

counterparty_flows as (
    -- a counterparty is its account when known, else its name
    select
        uscc,
        coalesce(counterparty_account, {{ normalise_company_name('counterparty_name') }}) as counterparty_key,
        coalesce(sum(amount) filter (where direction = 'C'), 0) as inflow
    from window_transactions
    where coalesce(counterparty_account, counterparty_name) is not null
    group by 1, 2
),

counterparties_ranked as (
    select
        *,
        row_number() over (partition by uscc order by inflow desc, counterparty_key) as inflow_rank
    from counterparty_flows
),

counterparties as (
    select
        uscc,
        count(*) as counterparty_count_12m,
        sum(inflow) filter (where inflow_rank <= 5 and inflow > 0) as top5_counterparty_inflow_12m
    from counterparties_ranked
    group by uscc
)

select
    uscc,
    counterparty_count_12m,
    top5_counterparty_inflow_12m
from counterparties
