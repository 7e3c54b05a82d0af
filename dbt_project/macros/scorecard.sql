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
  One row per firm, as_of_date and scored feature, with the feature's value as text (NULL kept): numeric features
  are compared with their bins' bounds as numbers, categorical ones with their bins' categories. With the seed's
  features known, each is read from its column (a feature that is no column fails the build, naming it); without
  them, every column of the row is matched against the seed (the same rows, about 15x slower).
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
                ('{{ name }}', features.{{ adapter.quote(name) }}::text){{ ',' if not loop.last }}
            {%- endfor %}
        ) as scored (feature, value)
    {%- else %}
        cross join lateral (
            select
                row_values.key as feature,
                row_values.value
            from jsonb_each_text(to_jsonb(features)) as row_values
            where row_values.key in (select scored_features.feature from {{ ref('scorecard_points') }} as scored_features)
        ) as scored
    {%- endif %}
{%- endmacro %}

{#
  The rows of scorecard_points with what matching a value against them needs, computed once per bin rather than
  once per value: the bin's categories as an array (category_list), and every category that the feature's bins
  list (feature_categories; NULL for a numeric feature). Matching 1.2 M values on `large` took 3.4 s with these
  looked up for each value, 2.2 s with them here.
#}
{% macro scorecard_bins() -%}
    select
        bins.*,
        string_to_array(bins.categories, '|') as category_list,
        (
            select array_agg(listed_category)
            from {{ ref('scorecard_points') }} as listed
            cross join unnest(string_to_array(listed.categories, '|')) as listed_category
            where listed.feature = bins.feature
        ) as feature_categories
    from {{ ref('scorecard_points') }} as bins
{%- endmacro %}

{#
  Does `value` (text) fall into the bin `bin`, a row of scorecard_bins()?
  - a categorical bin lists its categories, '|'-separated: the value is one of them;
  - the bin with both bounds and the categories empty is the missing bin: it takes NULL, and for a categorical
    feature also a category that no bin lists (one the fit never saw);
  - a numeric bin is half-open [lower, upper); an empty bound is open-ended.
#}
{% macro scorecard_bin_matches(value, bin) -%}
    case
        when {{ bin }}.categories is not null
            then {{ value }} = any({{ bin }}.category_list)
        when {{ bin }}.lower_bound is null and {{ bin }}.upper_bound is null
            then {{ value }} is null
                or ({{ bin }}.feature_categories is not null and {{ value }} <> all({{ bin }}.feature_categories))
        when {{ value }} is null then false
        else {{ value }}::numeric >= coalesce({{ bin }}.lower_bound, '-infinity'::numeric)
            and {{ value }}::numeric < coalesce({{ bin }}.upper_bound, 'infinity'::numeric)
    end
{%- endmacro %}

{#- How a bin of scorecard_points reads: {A, B} for categories, missing, or [lower, upper) with -inf/inf. -#}
{% macro scorecard_bin_label(bin) -%}
    case
        when {{ bin }}.categories is not null then '{' || replace({{ bin }}.categories, '|', ', ') || '}'
        when {{ bin }}.lower_bound is null and {{ bin }}.upper_bound is null then 'missing'
        else '[' || coalesce({{ bin }}.lower_bound::text, '-inf') || ', '
            || coalesce({{ bin }}.upper_bound::text, 'inf') || ')'
    end
{%- endmacro %}

{#- Population stability index of shares `actual` against `expected` (one row per band; summed by the caller):
    an empty band counts as var('model_psi_empty_share_floor'), so PSI stays finite. -#}
{% macro psi_term(actual, expected) -%}
    (
        greatest(coalesce({{ actual }}, 0), {{ var('model_psi_empty_share_floor') }})
        - greatest(coalesce({{ expected }}, 0), {{ var('model_psi_empty_share_floor') }})
    ) * ln(
        greatest(coalesce({{ actual }}, 0), {{ var('model_psi_empty_share_floor') }})
        / greatest(coalesce({{ expected }}, 0), {{ var('model_psi_empty_share_floor') }})
    )
{%- endmacro %}

{#- stable below var('model_psi_watch'), watch below var('model_psi_alert'), alert from it -#}
{% macro psi_status(psi) -%}
    case
        when {{ psi }} is null then null
        when {{ psi }} >= {{ var('model_psi_alert') }} then 'alert'
        when {{ psi }} >= {{ var('model_psi_watch') }} then 'watch'
        else 'stable'
    end
{%- endmacro %}
