-- Daily settlement signals per firm as of the as-of date, from the bookings of the days before it (T+1: the
-- delivery of day D carries the bookings of D-1). An N-day window is as_of_date - N <= booking_date <
-- as_of_date. Each account's latest balance comes from the last week's bookings where it booked in that week,
-- else from an index lookup of its latest day, however old; each firm's last inflow likewise from the 90-day
-- window, else from each of its accounts' latest day with an inflow, by index. (A lookup for every account
-- and firm cost 3 of this model's 6 s on `large`, where about four accounts in five book within a week.)

{#- the windows are part of the column names (inflow_30d, inflow_90d), so they are fixed here -#}
{%- set short_days = 30 %}
{%- set long_days = 90 %}
{%- set lookback_days = 365 + short_days %}
{%- set latest_days = 7 %}

with recent_days as (
    -- the last 90 days and the same 30 days a year earlier, not the year between
    select *
    from {{ ref('int_settlement_transactions_aggregated_to_account_days') }}
    where (
        (booking_date >= {{ as_of_date() }} - {{ long_days }} and booking_date < {{ as_of_date() }})
        or (
            booking_date >= {{ as_of_date() }} - {{ lookback_days }}
            and booking_date < {{ as_of_date() }} - 365
        )
    )
    and {{ settlement_known_on_as_of_date() }}
),

accounts as (
    select *
    from {{ ref('int_settlement_accounts') }}
    where first_delivered_on <= {{ as_of_date() }}
),

windows as (
    select
        uscc,
        sum(inflow) filter (where booking_date >= {{ as_of_date() }} - {{ short_days }})
            as inflow_30d,
        sum(outflow) filter (where booking_date >= {{ as_of_date() }} - {{ short_days }})
            as outflow_30d,
        sum(inflow) filter (where booking_date >= {{ as_of_date() }} - {{ long_days }})
            as inflow_90d,
        -- the same 30 days a year earlier: seasonal firms are compared with themselves
        sum(inflow) filter (
            where booking_date >= {{ as_of_date() }} - 365 - {{ short_days }}
            and booking_date < {{ as_of_date() }} - 365
        ) as inflow_30d_year_ago,
        max(booking_date) filter (
            where booking_date >= {{ as_of_date() }} - {{ long_days }} and inflow_count > 0
        ) as last_inflow_date_90d
    from recent_days
    group by uscc
),

latest_week_days as (
    -- each account's latest booking day of the last week, if it booked in it
    select distinct on (account_no)
        account_no,
        closing_balance
    from {{ ref('int_settlement_transactions_aggregated_to_account_days') }}
    where booking_date >= {{ as_of_date() }} - {{ latest_days }}
        and booking_date < {{ as_of_date() }}
        and {{ settlement_known_on_as_of_date() }}
    order by account_no asc, booking_date desc, last_txn_at desc
),

account_balances as (
    -- balance after each account's latest booking before the as-of date (none: the account has no booking)
    select
        accounts.uscc,
        coalesce(latest_week_days.closing_balance, older.closing_balance) as closing_balance
    from accounts
    left join latest_week_days on accounts.account_no = latest_week_days.account_no
    left join
        lateral (
            -- (the first condition holds or fails once per account: PostgreSQL reads the index only if it holds)
            select days.closing_balance
            from {{ ref('int_settlement_transactions_aggregated_to_account_days') }} as days
            where latest_week_days.account_no is null
                and days.account_no = accounts.account_no
                and days.booking_date < {{ as_of_date() }} - {{ latest_days }}
                and {{ settlement_known_on_as_of_date('days') }}
            order by days.booking_date desc, days.last_txn_at desc
            limit 1
        ) as older
        on true
),

latest_balances as (
    -- summed over the firm's accounts
    select
        uscc,
        sum(closing_balance) as latest_balance
    from account_balances
    where closing_balance is not null
    group by uscc
),

older_inflows as (
    -- a firm without an inflow in the 90-day window: each account's latest day with one before it, by the
    -- index on account and day (an index on the firm and day cost the first build 16 s and 0.8 GB on `large`)
    select
        accounts.uscc,
        max(older.booking_date) as last_inflow_date
    from accounts
    left join windows on accounts.uscc = windows.uscc
    cross join
        lateral (
            -- (the first condition holds or fails once per account: PostgreSQL reads the index only if it holds)
            select days.booking_date
            from {{ ref('int_settlement_transactions_aggregated_to_account_days') }} as days
            where windows.last_inflow_date_90d is null
                and days.account_no = accounts.account_no
                and days.booking_date < {{ as_of_date() }} - {{ long_days }}
                and days.inflow_count > 0
                and {{ settlement_known_on_as_of_date('days') }}
            order by days.booking_date desc
            limit 1
        ) as older
    group by accounts.uscc
),

last_inflows as (
    select
        firms.uscc,
        coalesce(windows.last_inflow_date_90d, older_inflows.last_inflow_date) as last_inflow_date
    from (select distinct accounts.uscc from accounts) as firms
    left join windows on firms.uscc = windows.uscc
    left join older_inflows on firms.uscc = older_inflows.uscc
)

select
    latest_balances.uscc,
    coalesce(windows.inflow_30d, 0) as inflow_30d,
    coalesce(windows.outflow_30d, 0) as outflow_30d,
    coalesce(windows.inflow_30d, 0) - coalesce(windows.outflow_30d, 0) as net_flow_30d,
    coalesce(windows.inflow_90d, 0) as inflow_90d,
    coalesce(windows.inflow_30d_year_ago, 0) as inflow_30d_year_ago,
    {{ as_of_date() }} - last_inflows.last_inflow_date as days_since_last_inflow,
    latest_balances.latest_balance
from latest_balances
left join windows on latest_balances.uscc = windows.uscc
left join last_inflows on latest_balances.uscc = last_inflows.uscc
