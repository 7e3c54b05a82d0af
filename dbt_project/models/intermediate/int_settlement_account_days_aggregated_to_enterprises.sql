-- Daily settlement signals per firm as of the as-of date, from the bookings of the days before it (T+1: the
-- delivery of day D carries the bookings of D-1). An N-day window is as_of_date - N <= booking_date <
-- as_of_date. Balances and the last inflow are looked up per account / firm by index, however old.

{#- the windows are part of the column names (inflow_30d, inflow_90d), so they are fixed here -#}
{%- set short_days = 30 %}
{%- set long_days = 90 %}
{%- set lookback_days = 365 + short_days %}

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
        ) as inflow_30d_year_ago
    from recent_days
    group by uscc
),

latest_balances as (
    -- balance after each account's latest booking before the as-of date, summed over the firm's accounts
    select
        accounts.uscc,
        sum(latest.closing_balance) as latest_balance
    from accounts
    cross join
        lateral (
            select days.closing_balance
            from {{ ref('int_settlement_transactions_aggregated_to_account_days') }} as days
            where days.account_no = accounts.account_no
                and days.booking_date < {{ as_of_date() }}
                and {{ settlement_known_on_as_of_date('days') }}
            order by days.booking_date desc, days.last_txn_at desc
            limit 1
        ) as latest
    group by accounts.uscc
),

last_inflows as (
    select
        firms.uscc,
        last_inflow.booking_date as last_inflow_date
    from (select distinct uscc from accounts) as firms
    cross join lateral (
        select days.booking_date
        from {{ ref('int_settlement_transactions_aggregated_to_account_days') }} as days
        where days.uscc = firms.uscc
            and days.booking_date < {{ as_of_date() }}
            and days.inflow_count > 0
            and {{ settlement_known_on_as_of_date('days') }}
        order by days.booking_date desc
        limit 1
    ) as last_inflow
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
