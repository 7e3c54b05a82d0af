{#
  The scorecard in SQL. The seed scorecard_points holds points per feature bin, and each feature it names is a
  customer_features column of that name: the seed is the one list of scored features, and the value scored is
  the column's, computed once in customer_features (the fit, plugins/sme_credit/model/scorecard.py, reads the
  same columns). customer_risk_tiers and the scorecard tests use these macros.
#}

{# One row per firm, as_of_date and scored feature, with the feature's value as numeric (NULL kept). A feature the
   seed names that is no column of the relation gets no row: assert_every_scored_feature_lands_in_one_bin fails. #}
{% macro scorecard_feature_values(features_relation) -%}
    select
        features.uscc,
        features.as_of_date,
        scored.key as feature,
        scored.value::numeric as value
    from {{ features_relation }} as features
    cross join lateral jsonb_each_text(to_jsonb(features)) as scored
    where scored.key in (select scored_features.feature from {{ ref('scorecard_points') }} as scored_features)
{%- endmacro %}

{#
  Does `value` fall into the bin `bin` (an alias of scorecard_points)? Bins are half-open [lower, upper);
  an empty bound is open-ended; the bin with both bounds empty takes NULL values and only those.
#}
{% macro scorecard_bin_matches(value, bin) -%}
    (
        ({{ bin }}.lower_bound is null and {{ bin }}.upper_bound is null and {{ value }} is null)
        or (
            {{ value }} is not null
            and ({{ bin }}.lower_bound is not null or {{ bin }}.upper_bound is not null)
            and {{ value }} >= coalesce({{ bin }}.lower_bound, '-infinity'::numeric)
            and {{ value }} < coalesce({{ bin }}.upper_bound, 'infinity'::numeric)
        )
    )
{%- endmacro %}
