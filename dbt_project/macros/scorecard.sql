{#
  The scorecard in SQL. The seed scorecard_points holds points per feature bin, and each feature it names is a
  customer_features column of that name: the seed is the one list of scored features, and the value scored is
  the column's, computed once in customer_features (the fit, plugins/sme_credit/model/scorecard.py, reads the
  same columns). customer_risk_tiers and the scorecard tests use these macros.
#}

{#
  The features seed scorecard_points scores, read from the seed's table (dbt builds seeds before the models that
  ref them); none while dbt only parses or lints, in a unit test (its seed is a fixture), or before the first
  `dbt seed`.
#}
{% macro scored_feature_names() %}
    {%- if not execute %}{{ return(none) }}{% endif -%}
    {%- set seed = graph.get('nodes', {}).get('seed.sme_credit.scorecard_points') -%}
    {%- if seed is none %}{{ return(none) }}{% endif -%}
    {%- set relation = adapter.get_relation(database=seed.database, schema=seed.schema, identifier=seed.alias) -%}
    {%- if relation is none %}{{ return(none) }}{% endif -%}
    {%- set features = run_query('select distinct feature from ' ~ relation ~ ' order by feature') -%}
    {{ return(features.columns[0].values() | list) }}
{% endmacro %}

{#
  One row per firm, as_of_date and scored feature, with the feature's value as numeric (NULL kept). With the
  seed's features known, each is read from its column (a feature that is no column fails the build, naming it);
  without them, every column of the row is matched against the seed (the same rows, about 15x slower).
#}
{% macro scorecard_feature_values(features_relation) -%}
    {%- set names = scored_feature_names() %}
    select
        features.uscc,
        features.as_of_date,
        scored.feature,
        scored.value
    from {{ features_relation }} as features
    {%- if names %}
        cross join lateral (
            values
            {%- for name in names %}
                ('{{ name }}', features.{{ adapter.quote(name) }}::numeric){{ ',' if not loop.last }}
            {%- endfor %}
        ) as scored (feature, value)
    {%- else %}
        cross join lateral (
            select
                row_values.key as feature,
                row_values.value::numeric as value
            from jsonb_each_text(to_jsonb(features)) as row_values
            where row_values.key in (select scored_features.feature from {{ ref('scorecard_points') }} as scored_features)
        ) as scored
    {%- endif %}
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
