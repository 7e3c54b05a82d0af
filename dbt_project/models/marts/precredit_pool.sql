-- The pre-credit pool (预授信客户库) on the as-of date: every firm in an eligible tier without knock-out,
-- with its offer terms and the entry conditions it meets. pool_status = 'candidate' when it meets all of them,
-- 'watch' when it misses exactly one (kept and re-checked every run); firms missing more are not in the pool.
-- A firm that was 'watch' on the previous published as-of date and is 'candidate' now is triggered: the
-- date and the condition it came to meet are recorded. Conditions, thresholds and offer rules: _marts__models.yml.
with risk_tiers as (
    select *
    from {{ ref('customer_risk_tiers') }}
    where as_of_date = {{ as_of_date() }}
),

features as (
    select *
    from {{ ref('customer_features') }}
    where as_of_date = {{ as_of_date() }}
),

tier_policy as (
    select * from {{ ref('tier_policy') }}
),

in_tier as (
    select
        features.*,
        risk_tiers.score,
        risk_tiers.probability_of_default,
        risk_tiers.risk_tier,
        risk_tiers.risk_tier_name_zh,
        tier_policy.max_limit,
        tier_policy.term_months,
        tier_policy.rate_band,
        tier_policy.inflow_share_cap,
        tier_policy.tax_paid_multiple_cap
    from risk_tiers
    inner join features on features.uscc = risk_tiers.uscc
    inner join tier_policy on tier_policy.risk_tier = risk_tiers.risk_tier
    where tier_policy.precredit_eligible
      and not risk_tiers.knock_out
),

eligible as (
    select
        in_tier.*,
        coalesce(tax_paid_12m, 0) as tax_paid_basis
    from in_tier
),

demand as (
    -- working-capital need (CBIRC working-capital loan method): sales * (1 - margin) * (1 + growth) / turnover,
    -- less the cash the firm already holds. Sales = the lower of declared sales and settlement inflows,
    -- so that neither source alone can inflate the demand.
    select
        eligible.*,
        least(coalesce(declared_sales_12m, 0), inflow_12m) as sales_basis,
        greatest(-0.3, least(0.5, coalesce(inflow_growth_6m, 0))) as expected_growth
    from eligible
),

demand_sized as (
    select
        demand.*,
        greatest(
            round(
                sales_basis * (1 - {{ var('demand_assumed_margin') }}) * (1 + expected_growth)
                / {{ var('demand_turnover_per_year') }}
                - coalesce(greatest(avg_balance_3m, 0), 0),
                2
            ),
            0
        ) as inferred_demand,
        -- inflows every month of the year: a revolving, year-round need; gaps: a seasonal need of half a year
        case when months_without_inflow_12m = 0 then 12 else 6 end as inferred_term_months
    from demand
),

limits as (
    select
        demand_sized.*,
        least(
            inferred_demand,
            max_limit,
            inflow_share_cap * inflow_12m,
            tax_paid_multiple_cap * tax_paid_basis
        ) as limit_ceiling
    from demand_sized
),

offers as (
    select
        limits.*,
        (floor(limit_ceiling / {{ var('limit_rounding_unit') }}) * {{ var('limit_rounding_unit') }})::numeric(18, 2)
            as suggested_limit,
        case
            when limit_ceiling = inferred_demand then 'inferred_demand'
            when limit_ceiling = max_limit then 'tier_cap'
            when limit_ceiling = inflow_share_cap * inflow_12m then 'inflow_share_cap'
            else 'tax_paid_multiple_cap'
        end as limit_basis,
        case
            when consecutive_a_years >= {{ var('tax_loan_min_consecutive_a_years') }}
                 and tax_paid_basis >= {{ var('tax_loan_min_tax_paid_12m') }}
                then 'unsecured_tax_loan'
            when firm_age_years < {{ var('staged_credit_max_firm_age_years') }}
                then 'staged_credit'
            else 'settlement_flow_loan'
        end as suggested_product
    from limits
),

conditions as (
    -- the entry conditions, in the order they are reported; each true when met
    select
        offers.*,
        array_remove(array[
            case when not (inflow_3m > 0
                           and months_without_inflow_12m <= {{ var('precredit_max_months_without_inflow') }})
                 then 'settlement_active' end,
            case when not (tax_paid_basis >= {{ var('precredit_min_tax_paid_12m') }})
                 then 'tax_paid_threshold' end,
            case when not (tax_rating is null or tax_rating in ('A', 'B', 'M'))
                 then 'tax_rating_acceptable' end,
            case when not (unpaid_bills = 0) then 'no_utility_arrears' end,
            case when not (firm_age_years >= {{ var('precredit_min_firm_age_years') }})
                 then 'firm_old_enough' end,
            case when not (suggested_limit >= {{ var('precredit_min_limit') }}) then 'limit_meaningful' end
        ], null) as missed_conditions
    from offers
),

{#- the published pool; on the very first build there is none yet (unit tests give it as an input) -#}
{%- set published_pool_exists = not execute or model.resource_type == 'unit_test'
    or adapter.get_relation(database=target.database, schema='marts', identifier='precredit_pool') is not none %}
previous as (
    -- the published pool on the latest as-of date before this one (strictly: a rebuilt past date looks back,
    -- never at later dates)
    {% if published_pool_exists -%}
    select uscc, pool_status, missed_condition, watch_since
    from {{ source('published', 'precredit_pool') }}
    where as_of_date = (
        select max(as_of_date) from {{ source('published', 'precredit_pool') }}
        where as_of_date < {{ as_of_date() }}
    )
    {%- else -%}
    select null::text as uscc, null::text as pool_status, null::text as missed_condition, null::date as watch_since
    where false
    {%- endif %}
),

pooled as (
    select
        conditions.*,
        case cardinality(missed_conditions) when 0 then 'candidate' else 'watch' end as pool_status,
        missed_conditions[1] as missed_condition
    from conditions
    where cardinality(missed_conditions) <= 1
)

select
    pooled.uscc,
    {{ as_of_date() }} as as_of_date,
    pooled.enterprise_name,
    pooled.risk_tier,
    pooled.risk_tier_name_zh,
    pooled.score,
    pooled.probability_of_default,
    pooled.pool_status,
    pooled.missed_condition,
    case
        when pooled.pool_status <> 'watch' then null
        when previous.pool_status = 'watch' then previous.watch_since
        else {{ as_of_date() }}
    end as watch_since,
    coalesce(pooled.pool_status = 'candidate' and previous.pool_status = 'watch', false) as triggered,
    case when pooled.pool_status = 'candidate' and previous.pool_status = 'watch'
         then previous.missed_condition end as trigger_condition,
    pooled.inferred_demand::numeric(18, 2) as inferred_demand,
    pooled.inferred_term_months::integer as inferred_term_months,
    pooled.suggested_limit,
    pooled.limit_basis,
    least(pooled.term_months, pooled.inferred_term_months)::integer as suggested_term_months,
    pooled.suggested_product,
    pooled.rate_band
from pooled
left join previous on previous.uscc = pooled.uscc
