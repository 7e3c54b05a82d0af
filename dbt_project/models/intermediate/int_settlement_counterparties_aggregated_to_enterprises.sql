-- Counterparty features per firm over the 12-month window: how many counterparties, how concentrated the
-- inflows are, and how often the legal representative paid in from a personal account (owner top-ups).
-- Reads the window's transactions from raw through the deduplicated view, with the counterparty as delivered:
-- the rows are grouped on raw's own values, and each group's counterparty and pseudonym are computed once, in
-- this query; the table keeps counts and sums per firm, no counterparty. (Pseudonyms per row, from a cache that
-- a pass over all of raw kept up to date, cost the first build on `large` 52 s for the cache and 58 s here,
-- against 49 s here now.) Kept while its inputs stay (macros/input_keys.sql): the window changes when the month
-- turns, a delivery touches a booking day before the month, or the customer master changes.
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

delivered_flows as (
    -- per account and name as delivered: the window's millions of rows are grouped on raw's short values, and
    -- the groups (one in nine rows on `large`) are named and pseudonymised below
    select
        uscc,
        counterparty_account,
        counterparty_name,
        coalesce(sum(amount) filter (where direction = 'C'), 0) as inflow,
        count(*) filter (where direction = 'C') as inflow_count
    from window_transactions
    group by uscc, counterparty_account, counterparty_name
),

named_flows as (
    select
        uscc,
        -- a counterparty is its account when known (trimmed), else its name in one canonical spelling, so that
        -- one counterparty spelled two ways is one; NULL when neither says who it is
        case
            when counterparty_account is not null then 'account ' || nullif(trim(counterparty_account), '')
            else 'name ' || {{ normalise_company_name('counterparty_name') }}
        end as counterparty,
        inflow,
        inflow_count,
        -- the pseudonym the legal representative's name is compared by (only where the group paid in)
        case when inflow_count > 0 then {{ hash_pii('counterparty_name') }} end as counterparty_name_hash
    from delivered_flows
),

counterparty_flows as (
    select
        named_flows.uscc,
        named_flows.counterparty,
        sum(named_flows.inflow) as inflow,
        -- the owner paying in from a personal account: cash the business did not earn (a strain signal)
        coalesce(sum(named_flows.inflow_count) filter (
            where named_flows.counterparty_name_hash = legal_representatives.legal_rep_name_hash
        ), 0)::bigint as owner_top_up_count
    from named_flows
    left join legal_representatives on named_flows.uscc = legal_representatives.uscc
    group by named_flows.uscc, named_flows.counterparty
),

counterparties_ranked as (
    select
        *,
        row_number() over (partition by uscc order by inflow desc, counterparty asc) as inflow_rank
    from counterparty_flows
    where counterparty is not null
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
