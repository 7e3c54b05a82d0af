-- Settlement flows per firm and calendar month, for the 12 complete months before the as-of month, from the
-- per-account daily aggregates known on the as-of date. Month-end balances are carried forward through months
-- without bookings (from each account's balance before the window, looked up by index) and summed over the
-- firm's accounts. Kept while its inputs stay (macros/input_keys.sql): the window changes when the month turns
-- or a delivery touches a booking day before the month, not every day.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ truncate_when_input_key_changes(settlement_window_input_key()) }}",
) }}

with window_days as (
    select *
    from {{ ref('int_settlement_transactions_aggregated_to_account_days') }}
    where booking_date >= {{ window_start(12) }}
        and booking_date < {{ window_end() }}
        and {{ settlement_known_on_as_of_date() }}
),

account_months as (
    select
        uscc,
        account_no,
        date_trunc('month', booking_date)::date as month_start,
        sum(inflow) as inflow,
        sum(outflow) as outflow,
        sum(inflow_count) as inflow_count,
        sum(outflow_count) as outflow_count,
        -- the balance of the month's last known day: its last_txn_at is the month's latest (it lies in its
        -- booking day). max() over [time, balance] rather than an ordered array_agg: PostgreSQL can then
        -- aggregate in parallel workers (`large`: the model's query in 24 s against 38 s)
        (max(array[extract(epoch from last_txn_at), closing_balance]))[2] as closing_balance
    from window_days
    group by uscc, account_no, date_trunc('month', booking_date)
),

opening_balances as (
    -- each known account's balance after its latest booking before the window (none: not open yet)
    select
        accounts.uscc,
        accounts.account_no,
        {{ window_start(13) }} as month_start,
        opening.closing_balance
    from {{ ref('int_settlement_accounts') }} as accounts
    cross join
        lateral (
            select days.closing_balance
            from {{ ref('int_settlement_transactions_aggregated_to_account_days') }} as days
            where days.account_no = accounts.account_no
                and days.booking_date < {{ window_start(12) }}
                and {{ settlement_known_on_as_of_date('days') }}
            order by days.booking_date desc, days.last_txn_at desc
            limit 1
        ) as opening
    where accounts.first_delivered_on <= {{ as_of_date() }}
),

account_firsts as (
    select
        uscc,
        account_no,
        min(month_start) as first_month
    from (
        select
            uscc,
            account_no,
            month_start
        from account_months
        union all
        select
            uscc,
            account_no,
            month_start
        from opening_balances
    ) as known_months
    group by uscc, account_no
),

account_month_spine as (
    -- every month of every account from its first known month on, so that a month without bookings still
    -- carries the balance forward
    select
        account_firsts.uscc,
        account_firsts.account_no,
        month_start::date as month_start
    from account_firsts
    cross join lateral generate_series(
        account_firsts.first_month, {{ window_start(1) }}, interval '1 month'
    ) as month_start
),

account_months_filled as (
    select
        spine.uscc,
        spine.account_no,
        spine.month_start,
        activity.inflow,
        activity.outflow,
        activity.inflow_count,
        activity.outflow_count,
        coalesce(activity.closing_balance, opening.closing_balance) as closing_balance,
        -- months sharing a balance_group follow the same month with a known balance
        count(coalesce(activity.closing_balance, opening.closing_balance)) over (
            partition by spine.account_no order by spine.month_start
        ) as balance_group
    from account_month_spine as spine
    left join account_months as activity
        on spine.account_no = activity.account_no
            and spine.month_start = activity.month_start
    left join opening_balances as opening
        on spine.account_no = opening.account_no
            and spine.month_start = opening.month_start
),

account_month_balances as (
    select
        *,
        first_value(closing_balance) over (
            partition by account_no, balance_group order by month_start
        ) as month_end_balance
    from account_months_filled
),

firm_months as (
    select
        uscc,
        month_start,
        coalesce(sum(inflow), 0) as inflow,
        coalesce(sum(outflow), 0) as outflow,
        coalesce(sum(inflow_count), 0)::integer as inflow_count,
        coalesce(sum(outflow_count), 0)::integer as outflow_count,
        sum(month_end_balance) as month_end_balance
    from account_month_balances
    where {{ in_window('month_start', 12) }}
    group by uscc, month_start
),

final as (
    select
        uscc,
        month_start,
        -- 1 = the last complete month before the as-of date, 12 = the oldest month of the window
        (
            (extract(year from {{ window_end() }}) - extract(year from month_start)) * 12
            + extract(month from {{ window_end() }}) - extract(month from month_start)
        )::integer as months_back,
        inflow,
        outflow,
        inflow_count,
        outflow_count,
        month_end_balance
    from firm_months
)

select
    *,
    {{ settlement_window_input_key() }} as input_key
from final
{{ unless_input_key_kept() }}
