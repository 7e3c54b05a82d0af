-- Why a firm is where it is on the as-of date, one row per enterprise: the points per scored feature with the bin
-- its value fell in, knock-outs and reason codes, the pre-credit entry conditions met and missed, and how the
-- limit was bounded. `sme-credit explain USCC` prints it (with the firm's tier history); BI reads the same rows.
-- The pool status comes from the rules precredit_pool applies (macro precredit_offer_ctes), not from the pool
-- itself, so this mart is built beside the pool rather than after it.
with {{ precredit_offer_ctes() }},

points as (
    select * from {{ ref('int_customer_score_points_aggregated_to_enterprises') }}
)

select
    risk_tiers.uscc,
    risk_tiers.as_of_date,
    features.enterprise_name,
    risk_tiers.score,
    risk_tiers.risk_tier,
    risk_tiers.knock_out,
    risk_tiers.reason_codes,
    risk_tiers.model_version,
    points.scored_features,
    case
        when risk_tiers.knock_out then 'knocked_out'
        when pool_statuses.uscc is null then 'tier_not_eligible'
        else coalesce(pool_statuses.pool_status, 'not_in_pool')
    end as pool_status,
    -- evaluated only for firms in a tier open to pre-credit and without knock-out
    case when pool_statuses.uscc is not null then
            array(
                select condition_name
                from unnest(array{{ precredit_condition_names() }}) as condition_name
                where condition_name <> all(pool_statuses.missed_conditions)
            )
    end as conditions_met,
    pool_statuses.missed_conditions as conditions_missed,
    pool_statuses.inferred_demand::numeric(18, 2) as inferred_demand,
    pool_statuses.max_limit::numeric(18, 2) as tier_cap_limit,
    round(pool_statuses.inflow_share_limit, 2)::numeric(18, 2) as inflow_share_limit,
    round(pool_statuses.tax_multiple_limit, 2)::numeric(18, 2) as tax_multiple_limit,
    pool_statuses.suggested_limit,
    pool_statuses.limit_basis
from risk_tiers
inner join features on risk_tiers.uscc = features.uscc
left join points on risk_tiers.uscc = points.uscc
left join pool_statuses on risk_tiers.uscc = pool_statuses.uscc
