-- Counterparty features per firm over the 12-month window: how many counterparties, how concentrated the
-- inflows are, and how often the legal representative paid in from a personal account (owner top-ups).
-- Reads the window's transactions from the persisted deduplicated model (BRIN on booking_date), whose
-- counterparty keys and name hashes were computed once, at load. Kept while its inputs stay
-- (macros/input_keys.sql): the window changes when the month turns, a delivery touches a booking day before
-- the month, or the customer master changes.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ truncate_when_input_key_changes(settlement_window_input_key(with_enterprises=true)) }}",
) }}

with window_transactions as (
    select *
    from {{ ref('int_settlement_transactions_deduplicated') }}
    where booking_date >= {{ window_start(12) }}
        and booking_date < {{ window_end() }}
        and {{ settlement_known_on_as_of_date() }}
),

legal_representatives as (
    select
        uscc,
        legal_rep_name_hash
    from {{ ref('stg_enterprise__enterprises') }}
),

counterparty_flows as (
    select
        window_transactions.uscc,
        window_transactions.counterparty_key,
        coalesce(sum(window_transactions.amount) filter (where window_transactions.direction = 'C'), 0) as inflow,
        -- the owner paying in from a personal account: cash the business did not earn (a strain signal)
        count(*) filter (
            where window_transactions.direction = 'C'
            and window_transactions.counterparty_name_hash = legal_representatives.legal_rep_name_hash
        ) as owner_top_up_count
    from window_transactions
    left join legal_representatives on window_transactions.uscc = legal_representatives.uscc
    group by window_transactions.uscc, window_transactions.counterparty_key
),

counterparties_ranked as (
    select
        *,
        row_number() over (partition by uscc order by inflow desc, counterparty_key asc) as inflow_rank
    from counterparty_flows
    where counterparty_key is not null
),

counterparties as (
    select
        uscc,
        count(*) as counterparty_count_12m,
        sum(inflow) filter (where inflow_rank <= 5 and inflow > 0) as top5_counterparty_inflow_12m
    from counterparties_ranked
    group by uscc
),

owner_top_ups as (
    select
        uscc,
        sum(owner_top_up_count) as owner_top_ups_12m
    from counterparty_flows
    group by uscc
),

final as (
    select
        owner_top_ups.uscc,
        coalesce(counterparties.counterparty_count_12m, 0) as counterparty_count_12m,
        counterparties.top5_counterparty_inflow_12m,
        owner_top_ups.owner_top_ups_12m
    from owner_top_ups
    left join counterparties on owner_top_ups.uscc = counterparties.uscc
)

select
    *,
    {{ settlement_window_input_key(with_enterprises=true) }} as input_key
from final
{{ unless_input_key_kept() }}
