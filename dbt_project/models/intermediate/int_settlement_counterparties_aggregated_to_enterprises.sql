-- Counterparty features per firm over the 12-month window: how many counterparties, how concentrated the
-- inflows are, and how often the legal representative paid in from a personal account (owner top-ups).
-- Reads the window's transactions from raw through the deduplicated view, each counterparty's pseudonyms from
-- their cache (stg_settlement__counterparty_pseudonyms). Kept while its inputs stay
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

name_flows as (
    -- per counterparty and name first, the legal representative joined after: the window's millions of rows
    -- are sorted without the representative's pseudonym beside them (`large`: 33 s against 51 s)
    select
        uscc,
        counterparty_key,
        counterparty_name_hash,
        coalesce(sum(amount) filter (where direction = 'C'), 0) as inflow,
        count(*) filter (where direction = 'C') as inflow_count
    from window_transactions
    group by uscc, counterparty_key, counterparty_name_hash
),

counterparty_flows as (
    select
        name_flows.uscc,
        name_flows.counterparty_key,
        sum(name_flows.inflow) as inflow,
        -- the owner paying in from a personal account: cash the business did not earn (a strain signal)
        coalesce(sum(name_flows.inflow_count) filter (
            where name_flows.counterparty_name_hash = legal_representatives.legal_rep_name_hash
        ), 0)::bigint as owner_top_up_count
    from name_flows
    left join legal_representatives on name_flows.uscc = legal_representatives.uscc
    group by name_flows.uscc, name_flows.counterparty_key
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
