-- Why a firm is where it is on the as-of date, one row per enterprise: the points per scored feature with the bin
-- its value fell in, knock-outs and reason codes, the pre-credit entry conditions met and missed, and how the
-- limit was bounded. `sme-credit explain USCC` prints it (with the firm's tier history); BI reads the same rows.
with {{ precredit_offer_ctes() }},

points as (
    -- an array of rows turned into JSON once per firm: a JSON object built per row and aggregated cost a fifth
    -- more (6.6 against 5.5 s on `large`, identical output)
    select
        score_points.uscc,
        to_jsonb(
            array_agg(scored_feature order by score_points.points_lost desc, score_points.feature asc)
        ) as scored_features
    from {{ ref('customer_score_points') }} as score_points
    -- a row of the outer row's columns named as the JSON's keys (a CTE cannot see the outer row)
    cross join
        lateral (  -- noqa: ST05
            select
                score_points.feature,
                score_points.feature_value as value,
                score_points.bin,
                score_points.points,
                score_points.points_lost,
                score_points.reason_code
        ) as scored_feature
    where score_points.as_of_date = {{ as_of_date() }}
    group by score_points.uscc
),

pool as (
    select * from {{ ref('precredit_pool') }}
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
        when conditions.uscc is null then 'tier_not_eligible'
        when pool.pool_status is not null then pool.pool_status
        else 'not_in_pool'
    end as pool_status,
    -- evaluated only for firms in a tier open to pre-credit and without knock-out
    case when conditions.uscc is not null then
            array(
                select condition_name
                from unnest(array{{ precredit_condition_names() }}) as condition_name
                where condition_name <> all(conditions.missed_conditions)
            )
    end as conditions_met,
    conditions.missed_conditions as conditions_missed,
    conditions.inferred_demand::numeric(18, 2) as inferred_demand,
    conditions.max_limit::numeric(18, 2) as tier_cap_limit,
    round(conditions.inflow_share_limit, 2)::numeric(18, 2) as inflow_share_limit,
    round(conditions.tax_multiple_limit, 2)::numeric(18, 2) as tax_multiple_limit,
    conditions.suggested_limit,
    conditions.limit_basis
from risk_tiers
inner join features on risk_tiers.uscc = features.uscc
left join points on risk_tiers.uscc = points.uscc
left join conditions on risk_tiers.uscc = conditions.uscc
left join pool on risk_tiers.uscc = pool.uscc and risk_tiers.as_of_date = pool.as_of_date
