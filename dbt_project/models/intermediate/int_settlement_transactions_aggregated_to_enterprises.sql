-- Settlement-flow features per firm over the windows of complete months (macros/as_of.sql). Kept while its
-- inputs, the monthly flows and the counterparties, stay (macros/input_keys.sql): they are kept themselves,
-- and their stored keys are this table's key. The signals of the last days
-- (int_settlement_account_days_aggregated_to_enterprises) change daily and join in customer_features, so
-- this model does not wait for them. Its columns follow the code (new code is a new key and empties the table
-- first), so a table of an older version, without input_key, takes the new columns by itself.
{%- set kept_inputs = [
    'int_settlement_transactions_aggregated_to_months',
    'int_settlement_counterparties_aggregated_to_enterprises'
] %}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ truncate_when_input_key_changes(kept_inputs_key(" ~ kept_inputs ~ ")) }}",
) }}

with firm_months as (
    select * from {{ ref('int_settlement_transactions_aggregated_to_months') }}
),

counterparties as (
    select * from {{ ref('int_settlement_counterparties_aggregated_to_enterprises') }}
),

flows as (
    select
        uscc,
        sum(inflow) filter (where months_back <= 3) as inflow_3m,
        sum(inflow) filter (where months_back <= 6) as inflow_6m,
        sum(inflow) as inflow_12m,
        sum(outflow) filter (where months_back <= 3) as outflow_3m,
        sum(outflow) filter (where months_back <= 6) as outflow_6m,
        sum(outflow) as outflow_12m,
        -- month-to-month swings of the inflow: coefficient of variation over the months since the first
        stddev_pop(inflow) / nullif(avg(inflow), 0) as inflow_volatility_12m,
        sum(inflow) filter (where months_back between 7 and 12) as inflow_prior_6m,
        count(*) filter (where inflow > 0) as months_with_inflow_12m,
        avg(month_end_balance) filter (where months_back <= 3) as avg_balance_3m
    from firm_months
    group by uscc
),

final as (
    select
        flows.uscc,
        flows.inflow_3m,
        flows.inflow_6m,
        flows.inflow_12m,
        flows.outflow_3m,
        flows.outflow_6m,
        flows.outflow_12m,
        flows.inflow_3m - flows.outflow_3m as net_flow_3m,
        flows.inflow_6m - flows.outflow_6m as net_flow_6m,
        flows.inflow_12m - flows.outflow_12m as net_flow_12m,
        flows.inflow_volatility_12m,
        coalesce(counterparties.owner_top_ups_12m, 0) as owner_top_ups_12m,
        -- last 6 months against the 6 before; no base (no inflow in the earlier half) gives NULL
        flows.inflow_6m / nullif(flows.inflow_prior_6m, 0) - 1 as inflow_growth_6m,
        12 - coalesce(flows.months_with_inflow_12m, 0) as months_without_inflow_12m,
        coalesce(counterparties.counterparty_count_12m, 0) as counterparty_count_12m,
        -- share of all inflows (identified or not) coming from the five largest payers: customer concentration
        coalesce(counterparties.top5_counterparty_inflow_12m, 0) / nullif(flows.inflow_12m, 0)
            as top5_counterparty_share_12m,
        flows.avg_balance_3m
    from flows
    left join counterparties on flows.uscc = counterparties.uscc
)

select
    *,
    {{ kept_inputs_key(kept_inputs) }} as input_key
from final
{{ unless_input_key_kept() }}
