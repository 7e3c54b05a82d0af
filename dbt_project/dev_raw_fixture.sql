-- Hand-made raw rows to develop the dbt project against, without the loader or the data generator.
-- NOT part of the pipeline. Load it into a database of its own (created afresh, with the loader's raw and audit
-- tables, so the rows have the layout the loader gives them):
--
--   sme-credit dev-fixture [--database sme_dbt_dev]
--
-- Seven firms, settlement from 2024-10 to 2026-11-05, with the cases the models must handle:
--   F1 上海申华机械  strong manufacturer, two accounts, tax rating A three years running  -> unsecured_tax_loan
--   F2 杭州绿源商贸  a corrected tax filing, a corrected transaction, a bill re-delivered once paid,
--                    a civil case as defendant that closes on 2026-10-15 (re-delivered with the same record_id)
--   F3 苏州新芽科技  founded 2025-03, no tax rating yet                                    -> staged_credit
--   F4 广州恒通建筑  on the dishonest-debtor list, named by the court without USCC, full-width brackets,
--                    有限责任公司 and an extra space                                        -> knock-out
--   F5 成都川味餐饮  tax rating D, four months without inflow, unpaid power bills, consumption restriction
--   F6 南京宁远物流  open enforcement case as respondent (court gives the USCC)            -> knock-out
--   F7 上海浦江包装  enters the master only on 2026-10-20: in the 2026-11-03 marts, not in the 2026-10-03 ones
-- Deliveries after 2026-11-03 (a renamed F1, a dishonest-debtor entry for F1, October tax filings) must never
-- show up in a build for as_of_date 2026-11-03.

-- Enterprise master -----------------------------------------------------------------------------------------
insert into raw.enterprise_master (
  uscc, enterprise_name, industry_code, region_code, established_date, registered_capital, legal_rep_name,
  legal_rep_id_number, legal_rep_phone, customer_since, updated_at, _delivery_date, _line_number
)
select v.*, row_number() over (partition by v.d order by v.uscc)
from (values
  ('91310115MA1K4C2X8T', '上海申华机械制造有限公司', 'C34', '310115', '2012-05-18', '5000000.00', '张伟',
   '310115198003120011', '13800000001', '2016-03-01', '2024-09-30 10:00:00', date '2024-10-01'),
  ('91330106MA27Y3LQ59', '杭州绿源商贸有限责任公司', 'F51', '330106', '2018-09-01', '1000000.00', '李娜',
   '330106198507220022', '13800000002', '2019-01-15', '2024-09-30 10:00:00', date '2024-10-01'),
  ('91440115MA5CWL8R2K', '广州恒通(南沙)建筑工程有限公司', 'E47', '440115', '2016-07-11', '8000000.00', '王强',
   '440115197811030033', '13800000004', '2017-05-20', '2024-09-30 10:00:00', date '2024-10-01'),
  ('91510104MA6CN2PJ4R', '成都川味餐饮管理有限公司', 'H62', '510104', '2019-04-02', '500000.00', '刘洋',
   '510104199001150044', '13800000005', '2019-06-01', '2024-09-30 10:00:00', date '2024-10-01'),
  ('91320106MA1XK6P73H', '南京宁远物流有限公司', 'G54', '320106', '2014-11-20', '3000000.00', '陈静',
   '320106198209090055', '13800000006', '2015-02-01', '2024-09-30 10:00:00', date '2024-10-01'),
  ('91320594MA7F2KD3XK', '苏州新芽科技有限公司', 'I65', '320594', '2025-03-01', '1000000.00', '赵敏',
   '320594199506060066', '13800000003', '2025-04-01', '2025-04-01 09:00:00', date '2025-04-02'),
  -- F2 moves office (region code changes): a re-delivered master row, the later one wins
  ('91330106MA27Y3LQ59', '杭州绿源商贸有限责任公司', 'F51', '330108', '2018-09-01', '1000000.00', '李娜',
   '330106198507220022', '13800000002', '2019-01-15', '2026-05-30 16:00:00', date '2026-06-01'),
  ('91310115MA1H9TQ246', '上海浦江包装材料有限公司', 'C22', '310115', '2012-02-14', '2000000.00', '孙磊',
   '310115197705050077', '13800000007', '2026-10-19', '2026-10-19 11:00:00', date '2026-10-20'),
  -- delivered after 2026-11-03: must not be seen by a 2026-11-03 build
  ('91310115MA1K4C2X8T', '上海申华智能装备有限公司', 'C34', '310115', '2012-05-18', '5000000.00', '张伟',
   '310115198003120011', '13800000001', '2016-03-01', '2026-11-09 10:00:00', date '2026-11-10')
) as v(uscc, enterprise_name, industry_code, region_code, established_date, registered_capital, legal_rep_name,
       legal_rep_id_number, legal_rep_phone, customer_since, updated_at, d);

-- Settlement transactions: generated per account and day, deterministic (hashtext, no random()) -----------------
create temporary table fixture_accounts (
  uscc text, account_no text, opened date, daily_in numeric, out_ratio numeric, monthly_growth numeric,
  counterparties integer, gap_from date, gap_to date
);
insert into fixture_accounts values
  -- out_ratio near 0.96 keeps money out about equal to money in (expected in per day = 0.96 * daily_in)
  ('91310115MA1K4C2X8T', '6222020100000001', '2024-10-01', 60000, 0.95, 0.020, 12, null, null),
  ('91310115MA1K4C2X8T', '6222020100000002', '2024-10-01', 15000, 0.94, 0.000, 4, null, null),
  ('91330106MA27Y3LQ59', '6222020100000003', '2024-10-01', 25000, 0.95, 0.010, 8, null, null),
  ('91320594MA7F2KD3XK', '6222020100000004', '2025-04-01', 8000, 0.92, 0.050, 5, null, null),
  ('91440115MA5CWL8R2K', '6222020100000005', '2024-10-01', 30000, 0.98, -0.020, 6, null, null),
  ('91510104MA6CN2PJ4R', '6222020100000006', '2024-10-01', 5000, 0.94, 0.000, 3, '2026-05-01', '2026-09-01'),
  ('91320106MA1XK6P73H', '6222020100000007', '2024-10-01', 20000, 0.95, 0.000, 7, null, null),
  ('91310115MA1H9TQ246', '6222020100000008', '2026-09-01', 12000, 0.90, 0.000, 3, null, null);

insert into raw.settlement_transactions (
  txn_id, account_no, uscc, txn_ts, direction, amount, counterparty_name, counterparty_account, channel,
  balance_after, _delivery_date, _line_number
)
with account_days as (
  select a.*, day::date as day,
         ((extract(year from day) - extract(year from a.opened)) * 12
           + extract(month from day) - extract(month from a.opened)) as months_open
  from fixture_accounts a, generate_series(a.opened, date '2026-11-05', interval '1 day') as day
),
legs as (
  -- a credit on about 60 % of days (none inside a firm's gap), a debit on about half of the days
  select d.*, leg.direction,
         (hashtext(d.account_no || d.day || leg.direction || 'p') & 65535) / 65535.0 as p_occurs,
         (hashtext(d.account_no || d.day || leg.direction || 'a') & 65535) / 65535.0 as p_amount,
         abs(hashtext(d.account_no || d.day || leg.direction || 'c')) as h_counterparty
  from account_days d cross join (values ('C'), ('D')) as leg(direction)
),
txns as (
  select uscc, account_no, direction, day,
         'T' || right(account_no, 4) || to_char(day, 'YYYYMMDD') || direction as txn_id,
         day + make_interval(secs => 8 * 3600 + (h_counterparty % 36000)) as ts,
         round((case when direction = 'C' then daily_in * 1.6
                     else daily_in * 2 * out_ratio
                          * case when day >= gap_from and day < gap_to then 0.2 else 1 end
                end
                * power(1 + monthly_growth, months_open) * (0.5 + p_amount))::numeric, 2) as amount,
         case when direction = 'C' then '客户' else '供应商' end || (h_counterparty % counterparties) || '号' as counterparty_name,
         'CP' || right(account_no, 2) || direction || (h_counterparty % counterparties) as counterparty_account,
         (array['online_banking', 'bank_transfer', 'counter'])[1 + h_counterparty % 3] as channel
  from legs
  where (direction = 'C' and p_occurs < 0.6 and not (day >= coalesce(gap_from, 'infinity') and day < gap_to))
     or (direction = 'D' and p_occurs < 0.5)
),
with_balance as (
  select t.*,
         200000 + sum(case when direction = 'C' then amount else -amount end)
                  over (partition by account_no order by ts, txn_id) as balance
  from txns t
)
select txn_id, account_no, uscc, to_char(ts, 'YYYY-MM-DD HH24:MI:SS'), direction, amount::text, counterparty_name,
       counterparty_account, channel, balance::text,
       day + 1,
       row_number() over (partition by day order by txn_id)
from with_balance;

-- a corrected transaction re-delivered on 2026-09-20, its amount and its day corrected (booked a day later): the
-- later version wins, and the delivery touches the day of the version it superseded as well as its own
insert into raw.settlement_transactions (
  txn_id, account_no, uscc, txn_ts, direction, amount, counterparty_name, counterparty_account, channel,
  balance_after, _delivery_date, _line_number
)
select txn_id, account_no, uscc, to_char(txn_ts::timestamp + interval '1 day', 'YYYY-MM-DD HH24:MI:SS'), direction,
       (amount::numeric + 1000)::text, counterparty_name, counterparty_account, channel, balance_after,
       date '2026-09-20', 999
from raw.settlement_transactions
where account_no = '6222020100000003' and direction = 'C' and txn_ts like '2026-09-1%' and txn_ts < '2026-09-19'
order by txn_id
limit 1;

-- Tax filings: one per month, filed on the 15th of the next month (some late), delivered the day after ----------
insert into raw.tax_filings (
  uscc, tax_period, declared_sales, vat_paid, income_tax_paid, filing_date, is_late, is_zero_declaration,
  _delivery_date, _line_number
)
with periods as (
  select a.uscc, a.daily_in, a.monthly_growth, a.gap_from, a.gap_to, p::date as period
  from (select uscc, min(opened) as opened, sum(daily_in) as daily_in, max(monthly_growth) as monthly_growth,
               max(gap_from) as gap_from, max(gap_to) as gap_to
        from fixture_accounts where uscc <> '91310115MA1H9TQ246' group by uscc) a,
       generate_series(a.opened, date '2026-10-01', interval '1 month') as p
),
filings as (
  select uscc, period,
         case when period >= gap_from and period < gap_to then 0
              else round((daily_in * 0.6 * 1.6 * 30 * 0.9
                          * power(1 + monthly_growth, (period - date '2024-10-01') / 30))::numeric, 2)
         end as declared_sales,
         (hashtext(uscc || period) & 255) < 20 as is_late
  from periods
)
select uscc, to_char(period, 'YYYY-MM'), declared_sales::text, round(declared_sales * 0.03, 2)::text,
       round(declared_sales * 0.005, 2)::text,
       to_char((period + interval '1 month')::date + case when is_late then 24 else 14 end, 'YYYY-MM-DD'),
       case when is_late then '1' else '0' end, case when declared_sales = 0 then '1' else '0' end,
       (period + interval '1 month')::date + case when is_late then 25 else 15 end,
       row_number() over (partition by period order by uscc)
from filings;

-- F2 corrects its May 2026 filing (higher sales) in a later delivery
insert into raw.tax_filings (
  uscc, tax_period, declared_sales, vat_paid, income_tax_paid, filing_date, is_late, is_zero_declaration,
  _delivery_date, _line_number
)
values
  ('91330106MA27Y3LQ59', '2026-05', '1350000.00', '40500.00', '6750.00', '2026-06-15', '0', '0',
   '2026-08-01', 1);

insert into raw.tax_credit_ratings (
  uscc, rating_year, credit_rating, published_date, _delivery_date, _line_number
)
select v.*, row_number() over (partition by v.d order by v.uscc, v.rating_year)
from (values
  ('91310115MA1K4C2X8T', '2023', 'A', '2024-04-20', date '2024-10-01'),
  ('91310115MA1K4C2X8T', '2024', 'A', '2025-04-20', date '2025-04-21'),
  ('91310115MA1K4C2X8T', '2025', 'A', '2026-04-20', date '2026-04-21'),
  ('91330106MA27Y3LQ59', '2023', 'B', '2024-04-20', date '2024-10-01'),
  ('91330106MA27Y3LQ59', '2024', 'A', '2025-04-20', date '2025-04-21'),
  ('91330106MA27Y3LQ59', '2025', 'B', '2026-04-20', date '2026-04-21'),
  ('91440115MA5CWL8R2K', '2024', 'B', '2025-04-20', date '2025-04-21'),
  ('91440115MA5CWL8R2K', '2025', 'C', '2026-04-20', date '2026-04-21'),
  ('91510104MA6CN2PJ4R', '2024', 'C', '2025-04-20', date '2025-04-21'),
  ('91510104MA6CN2PJ4R', '2025', 'D', '2026-04-20', date '2026-04-21'),
  ('91320106MA1XK6P73H', '2023', 'A', '2024-04-20', date '2024-10-01'),
  ('91320106MA1XK6P73H', '2024', 'B', '2025-04-20', date '2025-04-21'),
  ('91320106MA1XK6P73H', '2025', 'A', '2026-04-20', date '2026-04-21')
) as v(uscc, rating_year, credit_rating, published_date, d);

-- Utility bills: issued two days after the month ends (unpaid), re-delivered with paid_date once paid ----------
create temporary table fixture_bills as
with months as (
  select a.uscc, a.daily_in, a.monthly_growth, m::date as month
  from (select uscc, min(opened) as opened, sum(daily_in) as daily_in, max(monthly_growth) as monthly_growth
        from fixture_accounts group by uscc) a,
       generate_series(a.opened, date '2026-10-01', interval '1 month') as m
)
select uscc, month, kind.utility_type,
       kind.prefix || right(uscc, 6) || to_char(month, 'YYYYMM') as bill_id,
       kind.prefix || 'M' || right(uscc, 6) as meter_id,
       round((daily_in / kind.divisor * power(1 + monthly_growth, (month - date '2024-10-01') / 30)
              * (0.9 + (hashtext(uscc || month || kind.prefix) & 255) / 1275.0))::numeric, 2) as consumption,
       kind.unit, kind.price,
       (month + interval '1 month')::date + 1 as issued_on,
       (month + interval '1 month')::date + 19 as due_date,
       case when uscc = '91510104MA6CN2PJ4R' and kind.utility_type = 'electricity' and month >= date '2026-06-01'
            then null                                        -- F5 stops paying its power bills
            else (month + interval '1 month')::date + 12 end as paid_date
from months,
     (values ('electricity', 'E', 3.0, 'kWh', 0.85), ('water', 'W', 400.0, 'm3', 4.2))
       as kind(utility_type, prefix, divisor, unit, price);

insert into raw.utility_bills (
  bill_id, uscc, meter_id, utility_type, billing_month, consumption, unit, amount, due_date, paid_date,
  _delivery_date, _line_number
)
select bill_id, uscc, meter_id, utility_type, to_char(month, 'YYYY-MM'), consumption::text, unit,
       round(consumption * price, 2)::text, due_date::text, null,
       issued_on, row_number() over (partition by issued_on order by bill_id)
from fixture_bills
union all
select bill_id, uscc, meter_id, utility_type, to_char(month, 'YYYY-MM'), consumption::text, unit,
       round(consumption * price, 2)::text, due_date::text, paid_date::text,
       paid_date + 1, 1000 + row_number() over (partition by paid_date order by bill_id)
from fixture_bills
where paid_date is not null;

-- Court records (delivered as JSONL; every value lands as text) -----------------------------------------------
insert into raw.court_records (
  record_id, record_type, case_number, court_name, case_type, cause, party_name, party_uscc, party_role, amount,
  filing_date, closing_date, status, _delivery_date, _line_number
)
select v.*, row_number() over (partition by v.d order by v.record_id)
from (values
  -- F4 on the dishonest-debtor list, named without USCC and spelled differently from the master
  ('CR0001', 'dishonest_debtor', '(2026)粤0115执456号', '广州市南沙区人民法院', 'enforcement', '买卖合同纠纷',
   '广州恒通（南沙）建筑工程 有限责任公司', null, 'respondent', '420000.00', '2026-02-10', null, 'open',
   date '2026-02-12'),
  -- F2 defendant in a civil case: open, then re-delivered closed
  ('CR0002', 'case', '(2026)浙0106民初2345号', '杭州市西湖区人民法院', 'civil', '买卖合同纠纷',
   '杭州绿源商贸有限责任公司', '91330106MA27Y3LQ59', 'defendant', '85000.00', '2026-03-05', null, 'open',
   date '2026-03-07'),
  ('CR0002', 'case', '(2026)浙0106民初2345号', '杭州市西湖区人民法院', 'civil', '买卖合同纠纷',
   '杭州绿源商贸有限责任公司', '91330106MA27Y3LQ59', 'defendant', '85000.00', '2026-03-05', '2026-10-15',
   'closed', date '2026-10-20'),
  -- F6 respondent in an open enforcement case, with USCC
  ('CR0003', 'case', '(2026)苏0106执789号', '南京市鼓楼区人民法院', 'enforcement', '运输合同纠纷',
   '南京宁远物流有限公司', '91320106MA1XK6P73H', 'respondent', '230000.00', '2026-06-18', null, 'open',
   date '2026-06-20'),
  -- F1 as plaintiff: not a risk signal
  ('CR0004', 'case', '(2025)沪0115民初12345号', '上海市浦东新区人民法院', 'civil', '承揽合同纠纷',
   '上海申华机械制造有限公司', '91310115MA1K4C2X8T', 'plaintiff', '150000.00', '2025-11-03', null, 'open',
   date '2025-11-05'),
  -- a party that is not our customer: unmatched
  ('CR0005', 'case', '(2026)沪0101民初888号', '上海市黄浦区人民法院', 'civil', '借款合同纠纷',
   '上海某某贸易有限公司', '91310000MA1FL5XW98', 'defendant', '50000.00', '2026-04-01', null, 'open',
   date '2026-04-03'),
  -- F5 consumption restriction, by name with half-width brackets and a space
  ('CR0006', 'consumption_restriction', '(2026)川0104执321号', '成都市锦江区人民法院', 'enforcement', '租赁合同纠纷',
   '成都川味餐饮管理 有限公司', null, 'respondent', '60000.00', '2026-08-08', null, 'open', date '2026-08-10'),
  -- delivered after 2026-11-03: must not knock F1 out in a 2026-11-03 build
  ('CR0007', 'dishonest_debtor', '(2026)沪0115执999号', '上海市浦东新区人民法院', 'enforcement', '借款合同纠纷',
   '上海申华机械制造有限公司', '91310115MA1K4C2X8T', 'respondent', '990000.00', '2026-11-08', null, 'open',
   date '2026-11-10')
) as v(record_id, record_type, case_number, court_name, case_type, cause, party_name, party_uscc, party_role,
       amount, filing_date, closing_date, status, d);


-- Outcomes: F5 defaults in September 2026 (delivered 2026-10-03); one delivered after 2026-11-03 (F4) must not
-- show up in a build for as_of_date 2026-11-03.
insert into raw.credit_defaults (uscc, default_date, _delivery_date, _line_number)
select v.*, 2
from (values
  ('91510104MA6CN2PJ4R', '2026-09-18', date '2026-10-03'),
  ('91440115MA5CWL8R2K', '2026-11-20', date '2026-12-03')
) as v (uscc, default_date, d);

select 'enterprise_master' as raw_table, count(*) from raw.enterprise_master
union all select 'settlement_transactions', count(*) from raw.settlement_transactions
union all select 'tax_filings', count(*) from raw.tax_filings
union all select 'tax_credit_ratings', count(*) from raw.tax_credit_ratings
union all select 'utility_bills', count(*) from raw.utility_bills
union all select 'court_records', count(*) from raw.court_records
union all select 'credit_defaults', count(*) from raw.credit_defaults;
