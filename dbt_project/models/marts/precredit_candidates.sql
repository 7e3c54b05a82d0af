-- The as-of date's pre-credit candidates (预授信客户): the firms of the pre-credit pool that meet every entry
-- condition, with their offer. A firm that was on watch on the previous run and met its missing condition now
-- carries triggered = true, the condition and the date (its as_of_date). See _marts__models.yml.
select
    uscc,
    as_of_date,
    enterprise_name,
    risk_tier,
    risk_tier_name_zh,
    score,
    probability_of_default,
    inferred_demand,
    inferred_term_months,
    suggested_limit,
    limit_basis,
    suggested_term_months,
    suggested_product,
    rate_band,
    triggered,
    trigger_condition
from {{ ref('precredit_pool') }}
where as_of_date = {{ as_of_date() }}
    and pool_status = 'candidate'
