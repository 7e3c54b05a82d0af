-- One row per enterprise and as-of date: scorecard score, probability of default, knock-outs and risk tier.
-- Score = sum of the points of each feature's bin (customer_score_points, from seed scorecard_points). Hard knock-outs put a firm in
-- the lowest tier of tier_policy (risk_warning) whatever its score; otherwise the tier is the highest in tier_policy whose min_score it reaches.
with features as (
    select *
    from {{ ref('customer_features') }}
    where as_of_date = {{ as_of_date() }}
),

binned as (
    select * from {{ ref('customer_score_points') }}
    where as_of_date = {{ as_of_date() }}
),

scores as (
    select
        uscc,
        sum(points)::integer as score,
        -- one model scores a date: the seed holds one version (tests/assert_one_scorecard_model_version.sql)
        min(model_version) as model_version
    from binned
    group by uscc
),

reasons_ranked as (
    -- the strongest reasons are the bins that lose most points against their feature's best bin
    select
        uscc,
        reason_code,
        row_number() over (partition by uscc order by max(points_lost) desc, reason_code) as reason_rank
    from binned
    where points_lost > 0 and reason_code is not null
    group by uscc, reason_code
),

score_reasons as (
    select
        uscc,
        string_agg(reason_code, ',' order by reason_rank) as score_reason_codes
    from reasons_ranked
    where reason_rank <= {{ var('scorecard_reasons_reported') }}
    group by uscc
),

knock_out_ratings as (
    select credit_rating from {{ ref('tax_credit_ratings') }}
    where knock_out
),

knock_outs as (
    select
        uscc,
        concat_ws(
            ',',
            case when is_dishonest_debtor then 'KO_DISHONEST_DEBTOR' end,
            case when has_consumption_restriction then 'KO_CONSUMPTION_RESTRICTION' end,
            case
                when tax_rating in (select knock_out_ratings.credit_rating from knock_out_ratings) then 'KO_TAX_RATING_' || tax_rating
            end,
            case when open_enforcement_cases > 0 then 'KO_OPEN_ENFORCEMENT' end
        ) as knock_out_codes
    from features
),

tier_policy as (
    select * from {{ ref('tier_policy') }}
),

lowest_tier as (
    -- where knocked-out firms go, and firms below every other tier's min_score
    select risk_tier from tier_policy
    order by min_score limit 1
),

tiered as (
    select
        scores.uscc,
        scores.score,
        scores.model_version,
        knock_outs.knock_out_codes <> '' as knock_out,
        case
            when knock_outs.knock_out_codes <> '' then (select lowest_tier.risk_tier from lowest_tier)
            else coalesce(score_tier.risk_tier, (select lowest_tier.risk_tier from lowest_tier))
        end as risk_tier,
        nullif(concat_ws(',', nullif(knock_outs.knock_out_codes, ''), score_reasons.score_reason_codes), '')
            as reason_codes
    from scores
    inner join knock_outs on scores.uscc = knock_outs.uscc
    left join score_reasons on scores.uscc = score_reasons.uscc
    left join lateral (
        select tier_policy.risk_tier
        from tier_policy
        where tier_policy.min_score <= scores.score
        order by tier_policy.min_score desc
        limit 1
    ) as score_tier on true
),

display_names as (
    select * from {{ ref('tier_display_names') }}
)

select
    tiered.uscc,
    {{ as_of_date() }} as as_of_date,
    tiered.score,
    -- logistic link: odds good:bad = base_odds at base_score, doubling every pdo points
    round(
        1.0 / (
            1 + {{ var('scorecard_base_odds') }}
            * power(
                2::numeric, (tiered.score - {{ var('scorecard_base_score') }})::numeric
                / {{ var('scorecard_pdo') }}
            )
        ),
        6
    )::numeric(8, 6) as probability_of_default,
    tiered.risk_tier,
    display_names.display_name_zh as risk_tier_name_zh,
    tiered.knock_out,
    tiered.reason_codes,
    tiered.model_version
from tiered
left join display_names on tiered.risk_tier = display_names.risk_tier
