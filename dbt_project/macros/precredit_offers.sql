{#
  The pre-credit offer of every firm of the as-of date in a tier open to pre-credit and without knock-out: demand,
  limit (and each bound on it), term, product, and the entry conditions it misses (missed_conditions, in the
  order they are reported; precredit_condition_names() lists them all). The CTEs risk_tiers .. pool_statuses, for
  `with {{ precredit_offer_ctes() }}, ...`: precredit_pool keeps the firms with a pool status (missing at most
  one condition), and customer_explanations explains every firm with them, so both read the one set of rules.
#}
{% macro precredit_condition_names() -%}
    {{ return(['settlement_active', 'tax_paid_threshold', 'tax_rating_acceptable', 'no_utility_arrears',
               'firm_old_enough', 'limit_meaningful']) }}
{%- endmacro %}

{% macro precredit_offer_ctes() %}
risk_tiers as (
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

acceptable_ratings as (
    select credit_rating from {{ ref('tax_credit_ratings') }}
    where precredit_acceptable
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
    inner join features on risk_tiers.uscc = features.uscc
    inner join tier_policy on risk_tiers.risk_tier = tier_policy.risk_tier
    where tier_policy.precredit_eligible
        and not risk_tiers.knock_out
),

eligible as (
    select
        in_tier.*,
        coalesce(in_tier.tax_paid_12m, 0) as tax_paid_basis
    from in_tier
),

demand as (
    -- working-capital need (CBIRC working-capital loan method): sales * (1 - margin) * (1 + growth) / turnover,
    -- less the cash the firm already holds. Sales = the lower of declared sales and settlement inflows,
    -- so that neither source alone can inflate the demand.
    select
        eligible.*,
        least(coalesce(eligible.declared_sales_12m, 0), eligible.inflow_12m) as sales_basis,
        greatest(
            {{ var('demand_growth_floor') }}, least({{ var('demand_growth_cap') }}, coalesce(eligible.inflow_growth_6m, 0))
        ) as expected_growth
    from eligible
),

demand_sized as (
    select
        demand.*,
        greatest(
            round(
                demand.sales_basis * (1 - {{ var('demand_assumed_margin') }}) * (1 + demand.expected_growth)
                / {{ var('demand_turnover_per_year') }}
                - coalesce(greatest(demand.avg_balance_3m, 0), 0),
                2
            ),
            0
        ) as inferred_demand,
        -- inflows every month of the year: a revolving, year-round need; gaps: a seasonal need
        case
            when demand.months_without_inflow_12m = 0 then {{ var('demand_year_round_term_months') }}
            else {{ var('demand_seasonal_term_months') }}
        end as inferred_term_months,
        -- the tier's bounds on the limit besides demand and its cap (max_limit)
        demand.inflow_share_cap * demand.inflow_12m as inflow_share_limit,
        demand.tax_paid_multiple_cap * demand.tax_paid_basis as tax_multiple_limit
    from demand
),

limits as (
    select
        demand_sized.*,
        least(
            demand_sized.inferred_demand,
            demand_sized.max_limit,
            demand_sized.inflow_share_limit,
            demand_sized.tax_multiple_limit
        ) as limit_ceiling
    from demand_sized
),

offers as (
    select
        limits.*,
        (floor(limits.limit_ceiling / {{ var('limit_rounding_unit') }}) * {{ var('limit_rounding_unit') }})::numeric(18, 2)
            as suggested_limit,
        case
            when limits.limit_ceiling = limits.inferred_demand then 'inferred_demand'
            when limits.limit_ceiling = limits.max_limit then 'tier_cap'
            when limits.limit_ceiling = limits.inflow_share_limit then 'inflow_share_cap'
            else 'tax_paid_multiple_cap'
        end as limit_basis,
        case
            when limits.consecutive_a_years >= {{ var('tax_loan_min_consecutive_a_years') }}
                and limits.tax_paid_basis >= {{ var('tax_loan_min_tax_paid_12m') }}
                then 'unsecured_tax_loan'
            when limits.firm_age_years < {{ var('staged_credit_max_firm_age_years') }}
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
            case when not (
                        offers.inflow_3m > 0
                        and offers.months_without_inflow_12m <= {{ var('precredit_max_months_without_inflow') }}
                    )
                    then 'settlement_active'
            end,
            case when not (offers.tax_paid_basis >= {{ var('precredit_min_tax_paid_12m') }})
                    then 'tax_paid_threshold'
            end,
            case when not (offers.tax_rating is null or offers.tax_rating in (select acceptable_ratings.credit_rating from acceptable_ratings))
                    then 'tax_rating_acceptable'
            end,
            case when not (offers.unpaid_bills = 0) then 'no_utility_arrears' end,
            case when not (offers.firm_age_years >= {{ var('precredit_min_firm_age_years') }})
                    then 'firm_old_enough'
            end,
            case when not (offers.suggested_limit >= {{ var('precredit_min_limit') }}) then 'limit_meaningful' end
        ], null) as missed_conditions
    from offers
),

pool_statuses as (
    -- in the pool: 'candidate' when the firm meets every condition, 'watch' when it misses one; NULL: not in it
    select
        conditions.*,
        case cardinality(conditions.missed_conditions) when 0 then 'candidate' when 1 then 'watch' end as pool_status
    from conditions
)
{% endmacro %}
