-- A pre-credit candidate is never in the risk_warning tier nor knocked out, on any as-of date.
select
    candidates.uscc,
    candidates.as_of_date,
    tiers.risk_tier,
    tiers.knock_out
from {{ ref('precredit_candidates') }} as candidates
left join {{ ref('customer_risk_tiers') }} as tiers
    on candidates.uscc = tiers.uscc
        and candidates.as_of_date = tiers.as_of_date
where tiers.uscc is null
    or tiers.risk_tier = 'risk_warning'
    or tiers.knock_out
    or candidates.risk_tier <> tiers.risk_tier
