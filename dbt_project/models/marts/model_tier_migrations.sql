-- The tier migration matrix: how many firms moved from each tier on the previous published as-of date to each
-- tier on this one. Firms scored on only one of the two dates come from or go to 'not_scored'.
with tiers as (
    select * from {{ ref('customer_risk_tiers') }}
    where as_of_date = {{ as_of_date() }}
),

previous_tiers as (
    {{ previous_published(
        'tiers_as_published', 'customer_risk_tiers', [
            ('uscc', 'text'),
            ('as_of_date', 'date'),
            ('risk_tier', 'text')
        ]
    ) }}
)

select
    {{ as_of_date() }} as as_of_date,
    (select max(previous_tiers.as_of_date) from previous_tiers) as previous_as_of_date,
    migrated.from_tier,
    migrated.to_tier,
    count(*) as firms
from (
    select
        coalesce(previous_tiers.risk_tier, 'not_scored') as from_tier,
        coalesce(tiers.risk_tier, 'not_scored') as to_tier
    from tiers
    full outer join previous_tiers on tiers.uscc = previous_tiers.uscc
    where exists (select any_previous.uscc from previous_tiers as any_previous)
) as migrated
group by migrated.from_tier, migrated.to_tier
