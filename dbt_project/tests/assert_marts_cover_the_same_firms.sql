-- customer_risk_tiers scores exactly the firms of customer_features, date by date.
select
    coalesce(features.uscc, tiers.uscc) as uscc,
    coalesce(features.as_of_date, tiers.as_of_date) as as_of_date,
    case when tiers.uscc is null then 'not scored' else 'scored without features' end as problem
from {{ ref('customer_features') }} as features
full outer join {{ ref('customer_risk_tiers') }} as tiers
    on features.uscc = tiers.uscc
        and features.as_of_date = tiers.as_of_date
where features.uscc is null or tiers.uscc is null
