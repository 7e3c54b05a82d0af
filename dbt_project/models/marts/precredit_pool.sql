-- The pre-credit pool (预授信客户库) on the as-of date: every firm in an eligible tier without knock-out,
-- with its offer terms and the entry conditions it meets. pool_status = 'candidate' when it meets all of them,
-- 'watch' when it misses exactly one (kept and re-checked every run); firms missing more are not in the pool.
-- A firm that was 'watch' on the previous published as-of date and is 'candidate' now is triggered: the
-- date and the condition it came to meet are recorded. Conditions, thresholds and offer rules: _marts__models.yml.
with {{ precredit_offer_ctes() }},

-- the published pool on the latest as-of date before this one (strictly: a rebuilt past date looks back, never at
-- later dates)
previous as (
    {{ previous_published(
        'precredit_pool', 'precredit_pool', [
            ('uscc', 'text'),
            ('pool_status', 'text'),
            ('missed_condition', 'text'),
            ('watch_since', 'date')
        ]
    ) }}
),

pooled as (
    select
        pool_statuses.*,
        pool_statuses.missed_conditions[1] as missed_condition
    from pool_statuses
    where pool_statuses.pool_status is not null
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
            then previous.missed_condition
    end as trigger_condition,
    pooled.inferred_demand::numeric(18, 2) as inferred_demand,
    pooled.inferred_term_months::integer as inferred_term_months,
    pooled.suggested_limit,
    pooled.limit_basis,
    least(pooled.term_months, pooled.inferred_term_months)::integer as suggested_term_months,
    pooled.suggested_product,
    pooled.rate_band
from pooled
left join previous on pooled.uscc = previous.uscc
