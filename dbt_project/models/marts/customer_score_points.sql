-- One row per enterprise, as-of date and scored feature: the value, the bin of the active scorecard (seed
-- scorecard_points) it fell in, and the points it earned. customer_risk_tiers sums them to the score and takes its
-- reasons from them; model_monitoring compares each bin's share with the development sample's.
with features as (
    select *
    from {{ ref('customer_features') }}
    where as_of_date = {{ as_of_date() }}
),

feature_values as (
    {{ scorecard_feature_values('features') }}
),

scorecard as (
    {{ scorecard_bins() }}
),

best_points as (
    select
        feature,
        max(points) as best_points
    from scorecard
    group by feature
)

select
    feature_values.uscc,
    feature_values.as_of_date,
    feature_values.feature,
    feature_values.value as feature_value,
    {{ scorecard_bin_label('scorecard') }} as bin,
    scorecard.points,
    best_points.best_points - scorecard.points as points_lost,
    scorecard.reason_code,
    scorecard.model_version
from feature_values
inner join scorecard
    on feature_values.feature = scorecard.feature
        and {{ scorecard_bin_matches('feature_values.value', 'scorecard') }}
inner join best_points on feature_values.feature = best_points.feature
