-- Point in time: staging (and so everything downstream) uses only rows delivered on or before the as-of date.
-- stg_settlement__transactions is left out only for cost (deduplicating ~1 M rows once more): it uses the same
-- macro latest_delivered as the others.
{% set staging_models = [
    'stg_enterprise__enterprises', 'stg_tax__filings', 'stg_tax__credit_ratings',
    'stg_utilities__bills', 'stg_court__records'
] %}
{% for model in staging_models %}
select '{{ model }}' as model, max(delivered_on) as latest_delivery
from {{ ref(model) }}
having max(delivered_on) > {{ as_of_date() }}
{{ 'union all' if not loop.last }}
{% endfor %}
