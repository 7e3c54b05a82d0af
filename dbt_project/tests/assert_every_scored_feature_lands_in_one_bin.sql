-- Every feature of the scorecard (seed scorecard_points) is a column of customer_features, and every firm's value of
-- it falls in exactly one bin, so the score is a sum over all features. customer_score_points holds a row per bin
-- a value fell in: a firm and feature without a row there fell in no bin (listed here), one with two rows in two
-- (its unique_combination test). Read from customer_score_points rather than matched again: matching every value
-- against its bins once, in that model, is what it costs (3.7 s on `large`).
with feature_values as (
    {{ scorecard_feature_values(ref('customer_features')) }}
),

scorecard as (
    select * from {{ ref('scorecard_points') }}
)

select
    feature_values.uscc,
    feature_values.as_of_date,
    feature_values.feature,
    feature_values.value,
    'value matches no bin' as problem
from feature_values
where not exists (
        select from {{ ref('customer_score_points') }} as score_points
        where score_points.uscc = feature_values.uscc
            and score_points.as_of_date = feature_values.as_of_date
            and score_points.feature = feature_values.feature
    )
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
