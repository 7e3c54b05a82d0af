-- Point in time: staging (and so everything downstream) uses only rows delivered on or before the as-of date.
-- Settlement is not here: its staging view and persisted models hold every delivery on purpose, and each
-- window filters them with macro settlement_known_on_as_of_date (tests/integration/test_daily_build.py
-- checks the daily columns against the landed files, and past dates against their first build).
-- A staging table kept for an input key that was validated already is not read (macro rows_not_yet_validated):
-- the same key is the same loads known on the as-of date, so the same rows passed this test before. This test
-- gates every intermediate model, so a daily build must not wait for a scan of every monthly feed's history.
{% set staging_models = [
    'stg_enterprise__enterprises', 'stg_tax__filings', 'stg_tax__credit_ratings',
    'stg_utilities__bills', 'stg_court__records', 'stg_outcomes__credit_defaults'
] %}
{% for model in staging_models %}
select '{{ model }}' as model, max(delivered_on) as latest_delivery
from {{ ref(model) }}
where {{ rows_not_yet_validated(ref(model)) or 'true' }}
having max(delivered_on) > {{ as_of_date() }}
{{ 'union all' if not loop.last }}
{% endfor %}
