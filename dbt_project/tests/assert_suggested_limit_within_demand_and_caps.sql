-- Credit never exceeds the inferred demand (seed 002) nor any cap of the tier policy:
-- the tier's maximum, its share of 12-month inflows and its multiple of 12-month tax paid.
select
    candidates.uscc,
    candidates.as_of_date,
    candidates.suggested_limit,
    candidates.inferred_demand,
    policy.max_limit,
    policy.inflow_share_cap * features.inflow_12m as inflow_cap,
    policy.tax_paid_multiple_cap * features.tax_paid_12m as tax_cap
from {{ ref('precredit_candidates') }} as candidates
inner join {{ ref('customer_features') }} as features
    on candidates.uscc = features.uscc
        and candidates.as_of_date = features.as_of_date
inner join {{ ref('tier_policy') }} as policy
    on candidates.risk_tier = policy.risk_tier
where candidates.suggested_limit <= 0
    or candidates.suggested_limit > candidates.inferred_demand
    or candidates.suggested_limit > policy.max_limit
    or candidates.suggested_limit > policy.inflow_share_cap * features.inflow_12m
    or candidates.suggested_limit > policy.tax_paid_multiple_cap * coalesce(features.tax_paid_12m, 0)
    or candidates.suggested_term_months > policy.term_months
    or candidates.suggested_term_months > candidates.inferred_term_months
