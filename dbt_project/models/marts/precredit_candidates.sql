-- The as-of date's pre-credit candidates: firms that meet the entry conditions (documented in
-- _marts__models.yml), with the inferred funding demand and a suggested limit, term, product and rate band.
-- The limit never exceeds the inferred demand (seed 002) nor the tier's caps (seed tier_policy).
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

eligible as (
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
      -- a live settlement relationship: money came in recently and in most months of the year
      and features.inflow_3m > 0
      and features.months_without_inflow_12m <= {{ var('precredit_max_months_without_inflow') }}
      -- tax: real, taxed operations and no C/D rating (not yet rated is fine: new firms)
      and features.tax_paid_12m > 0
      and (features.tax_rating is null or features.tax_rating in ('A', 'B', 'M'))
      -- no utility arrears
      and features.unpaid_bills = 0
),

demand as (
    -- working-capital need (CBIRC working-capital loan method): sales * (1 - margin) * (1 + growth) / turnover,
    -- less the cash the firm already holds. Sales = the lower of declared sales and settlement inflows,
    -- so that neither source alone can inflate the demand.
    select
        eligible.*,
        least(declared_sales_12m, inflow_12m) as sales_basis,
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
            tax_paid_multiple_cap * tax_paid_12m
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
                 and tax_paid_12m >= {{ var('tax_loan_min_tax_paid_12m') }}
                then 'unsecured_tax_loan'
            when firm_age_years < {{ var('staged_credit_max_firm_age_years') }}
                then 'staged_credit'
            else 'settlement_flow_loan'
        end as suggested_product
    from limits
)

select
    uscc,
    {{ as_of_date() }} as as_of_date,
    enterprise_name,
    risk_tier,
    risk_tier_name_zh,
    score,
    probability_of_default,
    inferred_demand::numeric(18, 2) as inferred_demand,
    inferred_term_months::integer as inferred_term_months,
    suggested_limit,
    limit_basis,
    least(term_months, inferred_term_months)::integer as suggested_term_months,
    suggested_product,
    rate_band
from offers
where suggested_limit >= {{ var('precredit_min_limit') }}
