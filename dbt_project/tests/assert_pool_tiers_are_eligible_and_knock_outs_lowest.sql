-- The tier rules of seed tier_policy hold on every as-of date: a knocked-out firm is in the lowest tier; a firm in
-- the pre-credit pool (candidate or watch) is in a precredit_eligible tier, with the tier and no knock-out of
-- customer_risk_tiers.
with tier_policy as (
    select * from {{ ref('tier_policy') }}
),

lowest_tier as (
    select risk_tier from tier_policy
    order by min_score limit 1
)

select
    tiers.uscc,
    tiers.as_of_date,
    tiers.risk_tier,
    'knocked out but not in the lowest tier' as problem
from {{ ref('customer_risk_tiers') }} as tiers
where tiers.knock_out
    and tiers.risk_tier <> (select lowest_tier.risk_tier from lowest_tier)
union all
select
    pool.uscc,
    pool.as_of_date,
    pool.risk_tier,
    'in the pool with ' || coalesce(tiers.risk_tier, 'no tier') || case when tiers.knock_out then ', knocked out' else '' end
        as problem
from {{ ref('precredit_pool') }} as pool
left join {{ ref('customer_risk_tiers') }} as tiers
    on pool.uscc = tiers.uscc
        and pool.as_of_date = tiers.as_of_date
left join tier_policy on pool.risk_tier = tier_policy.risk_tier
where tiers.uscc is null
    or tiers.knock_out
    or pool.risk_tier is distinct from tiers.risk_tier
    or not coalesce(tier_policy.precredit_eligible, false)
