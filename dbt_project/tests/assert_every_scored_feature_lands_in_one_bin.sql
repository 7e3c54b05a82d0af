-- Every feature of the scorecard (seed scorecard_points) is a column of customer_features, and every firm's value of
-- it falls in exactly one bin, so the score is a sum over all features.
with feature_values as (
    {{ scorecard_feature_values(ref('customer_features')) }}
),

scorecard as (
    select * from {{ ref('scorecard_points') }}
),

matches as (
    select
        feature_values.uscc,
        feature_values.as_of_date,
        feature_values.feature,
        feature_values.value,
        count(scorecard.feature) as bins_matched
    from feature_values
    left join scorecard
        on feature_values.feature = scorecard.feature
            and {{ scorecard_bin_matches('feature_values.value', 'scorecard', 'scorecard') }}
    group by 1, 2, 3, 4
)

select
    uscc,
    as_of_date,
    feature,
    value,
    'value matches ' || bins_matched || ' bins' as problem
from matches
where bins_matched <> 1
union all
select
    null as uscc,
    null as as_of_date,
    feature,
    null as value,
    'scorecard feature is not computed' as problem
from scorecard
where feature not in (
        select columns.column_name
        from information_schema.columns as columns
        where columns.table_schema = '{{ ref("customer_features").schema }}'
            and columns.table_name = '{{ ref("customer_features").identifier }}'
    )
