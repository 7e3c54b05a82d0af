-- Realised default rate per tier for every monthly cohort whose outcome window has completed: the tiers of the
-- first published as-of date of each month, against the defaults (outcomes feed, as delivered by this as-of date)
-- within var('model_outcome_window_months') after it. A window has completed when an outcomes delivery after the
-- end of its last month was loaded by this as-of date (a delivery covers the month before it).
{%- set previous_exists = published_mart_exists('customer_risk_tiers') %}
with cohort_dates as (
    {% if previous_exists -%}
    select min(published.as_of_date) as cohort_date
    from {{ source('published', 'tiers_as_published') }} as published
    where published.as_of_date < {{ as_of_date() }}
    group by date_trunc('month', published.as_of_date)
    {%- else -%}
    select null::date as cohort_date
    where false
    {%- endif %}
),

outcomes_covered_until as (
    -- the last day the delivered outcomes cover: the end of the month before the latest delivery
    select (date_trunc('month', max(manifest.delivery_date)) - interval '1 day')::date as covered_until
    from {{ source('audit', 'load_manifest') }} as manifest
    where manifest.raw_table = 'credit_defaults'
        and audit.is_in_raw(manifest.status)
        and manifest.delivery_date <= {{ as_of_date() }}
),

completed as (  -- noqa: ST03
    select
        cohort_dates.cohort_date,
        (cohort_dates.cohort_date + interval '{{ var('model_outcome_window_months') }} months')::date as window_end
    from cohort_dates
    where (cohort_dates.cohort_date + interval '{{ var('model_outcome_window_months') }} months')::date
        <= (select outcomes_covered_until.covered_until from outcomes_covered_until)
),

first_defaults as (  -- noqa: ST03
    select
        uscc,
        min(default_date) as default_date
    from {{ ref('stg_outcomes__credit_defaults') }}
    group by uscc
),

cohorts as (
    {% if previous_exists -%}
    select
        completed.cohort_date,
        completed.window_end,
        published.uscc,
        published.risk_tier,
        first_defaults.default_date
    from completed
    inner join {{ source('published', 'tiers_as_published') }} as published
        on completed.cohort_date = published.as_of_date
    left join first_defaults on published.uscc = first_defaults.uscc
    {%- else -%}
    select
        null::date as cohort_date,
        null::date as window_end,
        null::text as uscc,
        null::text as risk_tier,
        null::date as default_date
    where false
    {%- endif %}
)

select
    {{ as_of_date() }} as as_of_date,
    cohort_date,
    window_end,
    risk_tier,
    count(*) as firms,
    count(*) filter (where default_date > cohort_date and default_date <= window_end) as defaults,
    round(
        count(*) filter (where default_date > cohort_date and default_date <= window_end)::numeric / count(*), 6
    )::numeric(8, 6) as default_rate
from cohorts
-- firms already in default on the cohort date are not at risk any more
where default_date is null or default_date > cohort_date
group by cohort_date, window_end, risk_tier
