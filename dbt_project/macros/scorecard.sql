{#
  The scorecard in SQL. The seed scorecard_points holds points per feature bin; these macros turn a features
  relation into one row per (firm, scored feature) and match each value to its bin. customer_risk_tiers and
  the scorecard tests use the same macros, so the feature list lives here only.
#}

{# Scored features: name in scorecard_points -> SQL expression over a customer_features row aliased `features`. #}
{% macro scorecard_feature_expressions() %}
    {{ return({
        'firm_age_years': 'features.firm_age_years',
        'inflow_12m': 'features.inflow_12m',
        'inflow_growth_6m': 'features.inflow_growth_6m',
        'months_without_inflow_12m': 'features.months_without_inflow_12m',
        'top5_counterparty_share_12m': 'features.top5_counterparty_share_12m',
        'tax_rating_rank': "case features.tax_rating when 'A' then 4 when 'B' then 3 when 'M' then 2 when 'C' then 1 when 'D' then 0 end",
        'late_filings_12m': 'features.late_filings_12m',
        'zero_declaration_months_12m': 'features.zero_declaration_months_12m',
        'tax_paid_12m': 'features.tax_paid_12m',
        'power_kwh_trend_6m': 'features.power_kwh_trend_6m',
        'unpaid_bills': 'features.unpaid_bills',
        'open_defendant_cases': 'features.open_defendant_cases',
        'industry_risk_coefficient': 'features.industry_risk_coefficient',
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
