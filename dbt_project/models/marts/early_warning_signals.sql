-- Early warnings (动态监测预警) on the as-of date: one row per enterprise and signal that fires, with a severity.
-- Signals and thresholds (vars early_warning_*, documented in _marts__models.yml):
--   inflow_drop              inflow of the last 3 months against the firm's own 9 months before
--   new_lawsuit_as_defendant cases filed against the firm since the start of the previous month
--   power_use_collapse       power use of the last 6 months against the 6 before
--   rating_downgrade         the latest tax rating, published in the last 12 months, below the year before
--   new_arrears              utility bills that fell overdue since the start of the previous month
-- and, daily, from settlement booked up to the day before the as-of date:
--   inflow_collapse_30d      inflow of the last 30 days against the firm's own 30-day rate of the 60 days before
--   balance_drained          latest balance against the average month-end balance of the last 3 months
with features as (
    select *
    from {{ ref('customer_features') }}
    where as_of_date = {{ as_of_date() }}
),

court as (
    select * from {{ ref('int_court_records_matched') }}
),

ratings as (
    -- each firm's latest rating next to the one of the year before, ranked by the seed tax_credit_ratings
    select
        rated.uscc,
        rated.rating_year,
        rated.credit_rating,
        rated.published_date,
        rating_scale.rating_rank,
        rating_scale.precredit_acceptable,
        lag(rated.credit_rating) over by_year as previous_rating,
        lag(rated.rating_year) over by_year as previous_year,
        lag(rating_scale.rating_rank) over by_year as previous_rank,
        row_number() over (partition by rated.uscc order by rated.rating_year desc) as recency
    from {{ ref('stg_tax__credit_ratings') }} as rated
    left join {{ ref('tax_credit_ratings') }} as rating_scale on rated.credit_rating = rating_scale.credit_rating
    window by_year as (partition by rated.uscc order by rated.rating_year)
),

bills as (
    select * from {{ ref('stg_utilities__bills') }}
),

inflow_drop as (
    select
        uscc,
        'inflow_drop' as signal,
        case when inflow_3m / 3 < {{ var('early_warning_inflow_drop_high') }} * ((inflow_12m - inflow_3m) / 9)
                then 'high'
            else 'medium'
        end as severity,
        round(inflow_3m / 3 / ((inflow_12m - inflow_3m) / 9), 4) as observed_value,
        {{ var('early_warning_inflow_drop_medium') }}::numeric as threshold,
        'monthly inflow of the last 3 months / monthly inflow of the 9 months before' as detail
    from features
    where inflow_12m - inflow_3m > 0
        and inflow_3m / 3 < {{ var('early_warning_inflow_drop_medium') }} * ((inflow_12m - inflow_3m) / 9)
),

new_lawsuits as (
    select
        uscc,
        'new_lawsuit_as_defendant' as signal,
        case
            when bool_or(case_type = 'enforcement') or count(*) >= {{ var('early_warning_new_lawsuits_high_count') }}
                then 'high'
            else 'medium'
        end as severity,
        sum(amount) as observed_value,
        null::numeric as threshold,
        count(*) || ' new case(s) as defendant or respondent: ' || string_agg(case_number, ', ' order by case_number)
            as detail
    from court
    where uscc is not null
        and record_type = 'case'
        and party_role in ('defendant', 'respondent')
        and filing_date >= {{ window_start(1) }}
        and filing_date <= {{ as_of_date() }}
    group by uscc
),

power_collapse as (
    select
        uscc,
        'power_use_collapse' as signal,
        case when power_kwh_trend_6m <= {{ var('early_warning_power_drop_high') }} then 'high' else 'medium' end
            as severity,
        power_kwh_trend_6m as observed_value,
        {{ var('early_warning_power_drop_medium') }}::numeric as threshold,
        'power use of the last 6 months / the 6 months before - 1' as detail
    from features
    where power_kwh_trend_6m <= {{ var('early_warning_power_drop_medium') }}
),

downgrades as (
    select
        uscc,
        'rating_downgrade' as signal,
        case when precredit_acceptable then 'medium' else 'high' end as severity,
        rating_rank::numeric as observed_value,
        previous_rank::numeric as threshold,
        'tax rating ' || previous_rating || ' (' || previous_year || ') -> ' || credit_rating
        || ' (' || rating_year || ')' as detail
    from ratings
    where recency = 1
        and rating_rank < previous_rank
        and published_date > {{ as_of_date() }} - interval '12 months'
),

new_arrears as (
    select
        uscc,
        'new_arrears' as signal,
        case when count(*) >= {{ var('early_warning_new_arrears_high_count') }} then 'high' else 'medium' end as severity,
        sum(amount) as observed_value,
        null::numeric as threshold,
        count(*) || ' bill(s) overdue since ' || {{ window_start(1) }} as detail
    from bills
    where due_date >= {{ window_start(1) }}
        and due_date < {{ as_of_date() }}
        and (paid_date is null or paid_date > {{ as_of_date() }})
    group by uscc
),

inflow_collapse as (
    select
        uscc,
        'inflow_collapse_30d' as signal,
        case when inflow_30d_to_prior_rate < {{ var('early_warning_inflow_collapse_30d_high') }} then 'high'
            else 'medium'
        end as severity,
        round(inflow_30d_to_prior_rate, 4) as observed_value,
        {{ var('early_warning_inflow_collapse_30d_medium') }}::numeric as threshold,
        'inflow of the last 30 days / 30-day inflow rate of the 60 days before' as detail
    from features
    where (inflow_90d - inflow_30d) / 2 >= {{ var('early_warning_inflow_collapse_min_base') }}
        and inflow_30d_to_prior_rate < {{ var('early_warning_inflow_collapse_30d_medium') }}
),

balance_drained as (
    select
        uscc,
        'balance_drained' as signal,
        case when latest_balance <= {{ var('early_warning_balance_drained_high') }} * avg_balance_3m
                then 'high'
            else 'medium'
        end as severity,
        round(latest_balance / avg_balance_3m, 4) as observed_value,
        {{ var('early_warning_balance_drained_medium') }}::numeric as threshold,
        'latest balance / average month-end balance of the last 3 months' as detail
    from features
    where avg_balance_3m >= {{ var('early_warning_balance_drained_min_base') }}
        and latest_balance < {{ var('early_warning_balance_drained_medium') }} * avg_balance_3m
),

signals as (
    select * from inflow_drop
    union all
    select * from new_lawsuits
    union all
    select * from power_collapse
    union all
    select * from downgrades
    union all
    select * from new_arrears
    union all
    select * from inflow_collapse
    union all
    select * from balance_drained
)

select
    signals.uscc,
    {{ as_of_date() }} as as_of_date,
    signals.signal,
    signals.severity,
    round(signals.observed_value, 4)::numeric(18, 4) as observed_value,
    round(signals.threshold, 4)::numeric(18, 4) as threshold,
    signals.detail
from signals
-- firms of the enterprise master only (court matches and bills of unknown firms are left out)
inner join features on signals.uscc = features.uscc
