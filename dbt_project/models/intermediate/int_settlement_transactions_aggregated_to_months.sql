-- Settlement flows per firm and calendar month, for the 12 complete months before the as-of month.
-- Transactions are read once and aggregated per account and month; every window downstream is a sum over
-- these rows (no correlated lookups over transactions). A table, not a view: deduplicating ~1 M transactions
-- costs seconds, so it happens once per build rather than in every query and test that reads the result.
{{ config(materialized='table') }}

with transactions as (
    select *
    from {{ ref('stg_settlement__transactions') }}
    -- everything up to the end of the last complete month; earlier months are needed for opening balances
    where txn_month < {{ window_end() }}
),

legal_representatives as (
    select uscc, legal_rep_name_hash
    from {{ ref('stg_enterprise__enterprises') }}
),

account_months as (
    select
        uscc,
        account_no,
        txn_month,
        sum(amount) filter (where direction = 'C') as inflow,
        sum(amount) filter (where direction = 'D') as outflow,
        count(*) filter (where direction = 'C') as inflow_count,
        count(*) filter (where direction = 'D') as outflow_count,
        -- the owner paying in from a personal account: cash the business did not earn (a strain signal)
        count(*) filter (
            where direction = 'C' and {{ hash_pii('transactions.counterparty_name') }} = legal_rep_name_hash
        ) as owner_top_up_count,
        -- balance after the month's last transaction = the account's month-end balance
        (array_agg(balance_after order by txn_at desc, txn_id desc))[1] as closing_balance
    from transactions
    left join legal_representatives using (uscc)
    group by uscc, account_no, txn_month
),

accounts as (
    select uscc, account_no, min(txn_month) as first_month
    from account_months
    group by uscc, account_no
),

account_month_spine as (
    -- every month of every account from its first transaction on, so that a month without transactions
    -- still carries the balance forward
    select
        accounts.uscc,
        accounts.account_no,
        month_start::date as month_start
    from accounts
    cross join lateral generate_series(
        accounts.first_month, {{ window_start(1) }}, interval '1 month'
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
        activity.owner_top_up_count,
        activity.closing_balance,
        -- months sharing a balance_group follow the same month with activity
        count(activity.closing_balance) over (
            partition by spine.account_no order by spine.month_start
        ) as balance_group
    from account_month_spine as spine
    left join account_months as activity
        on activity.account_no = spine.account_no
        and activity.txn_month = spine.month_start
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
        coalesce(sum(owner_top_up_count), 0)::integer as owner_top_up_count,
        sum(month_end_balance) as month_end_balance
    from account_month_balances
    where {{ in_window('month_start', 12) }}
    group by uscc, month_start
)

select
    uscc,
    month_start,
    -- 1 = the last complete month before the as-of date, 12 = the oldest month of the window
    ((extract(year from {{ window_end() }}) - extract(year from month_start)) * 12
        + extract(month from {{ window_end() }}) - extract(month from month_start))::integer as months_back,
    inflow,
    outflow,
    inflow_count,
    outflow_count,
    owner_top_up_count,
    month_end_balance
from firm_months
