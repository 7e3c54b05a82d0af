{#
  The scorecard in SQL. The seed scorecard_points holds points per feature bin; these macros turn a features
  relation into one row per (firm, scored feature) and match each value to its bin. customer_risk_tiers and
  the scorecard tests use the same macros, so the feature list lives here only.
#}

{# Scored features: name in scorecard_points -> SQL expression over a customer_features row aliased `features`. #}
{% macro scorecard_feature_expressions() %}
    {#- The same features and values as FEATURES / derived_features() in plugins/sme_credit/scorecard_model.py,
        which fits the points (a test keeps the two in step). -#}
    {{ return({
        'late_paid_bills_12m': 'features.late_paid_bills_12m',
        'balance_to_monthly_inflow': 'features.balance_to_monthly_inflow',
        'tax_rating_rank': "case features.tax_rating when 'A' then 4 when 'B' then 3 when 'M' then 2 when 'C' then 1 when 'D' then 0 end",
        'late_filings_12m': 'features.late_filings_12m',
        'net_flow_3m_share': 'features.net_flow_3m / nullif(features.inflow_3m, 0)',
        'unpaid_bills': 'features.unpaid_bills',
        'inflow_to_declared_sales': 'features.inflow_to_declared_sales',
        'industry_risk_coefficient': 'features.industry_risk_coefficient',
        'firm_age_years': 'features.firm_age_years',
        'open_defendant_cases': 'features.open_defendant_cases',
    }) }}
{% endmacro %}

{# One row per firm, as_of_date and scored feature, with the feature's value as numeric (NULL kept). #}
{% macro scorecard_feature_values(features_relation) -%}
    select
        features.uscc,
        features.as_of_date,
        scored.feature,
        scored.value
    from {{ features_relation }} as features
    cross join lateral (
        values
        {%- for feature, expression in scorecard_feature_expressions().items() %}
            ('{{ feature }}', ({{ expression }})::numeric){{ ',' if not loop.last }}
        {%- endfor %}
    ) as scored (feature, value)
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
