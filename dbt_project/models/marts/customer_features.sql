-- One row per enterprise of the master and as-of date: the firm's "digital portrait" from settlement, tax,
-- utility and court data, as the bank could know it on the as-of date. Feeds the scorecard and BI.
-- Incremental: each run writes only its as_of_date slice (see dbt_project.yml).
with enterprises as (
    select * from {{ ref('stg_enterprise__enterprises') }}
),

industries as (
    select * from {{ ref('industry_risk_coefficients') }}
),

settlement as (
    select * from {{ ref('int_settlement_transactions_aggregated_to_enterprises') }}
),

daily_settlement as (
    select * from {{ ref('int_settlement_account_days_aggregated_to_enterprises') }}
),

tax_filings as (
    select * from {{ ref('int_tax_filings_aggregated_to_enterprises') }}
),

tax_ratings as (
    select * from {{ ref('int_tax_credit_ratings_aggregated_to_enterprises') }}
),

utilities as (
    select * from {{ ref('int_utility_bills_aggregated_to_enterprises') }}
),

court as (
    select * from {{ ref('int_court_records_aggregated_to_enterprises') }}
)

select
    enterprises.uscc,
    {{ as_of_date() }} as as_of_date,
    enterprises.enterprise_name,
    enterprises.industry_code,
    enterprises.industry_section,
    industries.risk_coefficient as industry_risk_coefficient,
    enterprises.region_code,
    enterprises.established_date,
    enterprises.customer_since,
    greatest(round((({{ as_of_date() }} - enterprises.established_date) / 365.25)::numeric, 2), 0)::numeric(6, 2)
        as firm_age_years,

    -- settlement: a firm without transactions in the window has zero flows, and no growth or balance
    coalesce(settlement.inflow_3m, 0)::numeric(18, 2) as inflow_3m,
    coalesce(settlement.inflow_6m, 0)::numeric(18, 2) as inflow_6m,
    coalesce(settlement.inflow_12m, 0)::numeric(18, 2) as inflow_12m,
    coalesce(settlement.outflow_3m, 0)::numeric(18, 2) as outflow_3m,
    coalesce(settlement.outflow_6m, 0)::numeric(18, 2) as outflow_6m,
    coalesce(settlement.outflow_12m, 0)::numeric(18, 2) as outflow_12m,
    coalesce(settlement.net_flow_3m, 0)::numeric(18, 2) as net_flow_3m,
    coalesce(settlement.net_flow_6m, 0)::numeric(18, 2) as net_flow_6m,
    coalesce(settlement.net_flow_12m, 0)::numeric(18, 2) as net_flow_12m,
    round(settlement.inflow_growth_6m, 4)::numeric(12, 4) as inflow_growth_6m,
    round(settlement.inflow_volatility_12m, 4)::numeric(12, 4) as inflow_volatility_12m,
    coalesce(settlement.months_without_inflow_12m, 12)::integer as months_without_inflow_12m,
    coalesce(settlement.counterparty_count_12m, 0)::integer as counterparty_count_12m,
    round(settlement.top5_counterparty_share_12m, 4)::numeric(6, 4) as top5_counterparty_share_12m,
    round(settlement.avg_balance_3m, 2)::numeric(18, 2) as avg_balance_3m,
    -- months of inflow the firm holds as balance: thin cushions break first
    round(settlement.avg_balance_3m / nullif(settlement.inflow_3m / 3, 0), 4)::numeric(18, 4)
        as balance_to_monthly_inflow,
    -- the share of the last 3 months' inflow the firm kept (or, below 0, drained on top); unrounded: a scorecard bin
    -- bound is matched exactly
    coalesce(settlement.net_flow_3m, 0) / nullif(settlement.inflow_3m, 0) as net_flow_3m_share,
    coalesce(settlement.owner_top_ups_12m, 0)::integer as owner_top_ups_12m,

    -- settlement, daily: bookings of the days before the as-of date (as_of_date - N <= booking date < as_of_date)
    coalesce(daily_settlement.inflow_30d, 0)::numeric(18, 2) as inflow_30d,
    coalesce(daily_settlement.outflow_30d, 0)::numeric(18, 2) as outflow_30d,
    coalesce(daily_settlement.net_flow_30d, 0)::numeric(18, 2) as net_flow_30d,
    coalesce(daily_settlement.inflow_90d, 0)::numeric(18, 2) as inflow_90d,
    coalesce(daily_settlement.inflow_30d_year_ago, 0)::numeric(18, 2) as inflow_30d_year_ago,
    -- the last 30 days against the same 30 days a year earlier; NULL without a base
    round(daily_settlement.inflow_30d / nullif(daily_settlement.inflow_30d_year_ago, 0) - 1, 4)::numeric(12, 4)
        as inflow_30d_yoy_growth,
    -- the last 30 days' inflow against the firm's own 30-day rate of the 60 days before: a collapse shows here
    -- first; NULL without a base. Unrounded: early_warning_signals and scorecard bins compare it exactly
    daily_settlement.inflow_30d / nullif((daily_settlement.inflow_90d - daily_settlement.inflow_30d) / 2, 0)
        as inflow_30d_to_prior_rate,
    -- the share of the last 30 days' inflow the firm kept (below 0: drained on top); NULL without inflow
    daily_settlement.net_flow_30d / nullif(daily_settlement.inflow_30d, 0) as net_flow_30d_share,
    daily_settlement.days_since_last_inflow::integer as days_since_last_inflow,
    daily_settlement.latest_balance::numeric(18, 2) as latest_balance,

    -- tax: NULL when the firm filed nothing in the window (no bank-tax data), not 0
    coalesce(tax_filings.tax_filing_months_12m, 0)::integer as tax_filing_months_12m,
    tax_filings.declared_sales_12m::numeric(18, 2) as declared_sales_12m,
    round(tax_filings.declared_sales_6m / nullif(tax_filings.declared_sales_prior_6m, 0) - 1, 4)::numeric(12, 4)
        as declared_sales_growth_6m,
    tax_filings.tax_paid_12m::numeric(18, 2) as tax_paid_12m,
    tax_filings.late_filings_12m::integer as late_filings_12m,
    tax_filings.late_filings_6m::integer as late_filings_6m,
    tax_filings.zero_declaration_months_12m::integer as zero_declaration_months_12m,
    tax_ratings.tax_rating,
    tax_ratings.tax_rating_rank,
    tax_ratings.tax_rating_year,
    coalesce(tax_ratings.consecutive_a_years, 0)::integer as consecutive_a_years,

    -- utilities
    round(utilities.power_kwh_12m, 2)::numeric(18, 2) as power_kwh_12m,
    round(utilities.power_kwh_trend_6m, 4)::numeric(12, 4) as power_kwh_trend_6m,
    coalesce(utilities.unpaid_bills, 0)::integer as unpaid_bills,
    coalesce(utilities.unpaid_amount, 0)::numeric(18, 2) as unpaid_bill_amount,
    coalesce(utilities.late_paid_bills_12m, 0)::integer as late_paid_bills_12m,
    coalesce(utilities.late_paid_bills_3m, 0)::integer as late_paid_bills_3m,
    -- kWh per 10,000 yuan of declared sales; NULL without sales
    round(utilities.power_kwh_12m / nullif(tax_filings.declared_sales_12m / 10000, 0), 4)::numeric(18, 4)
        as power_to_sales_ratio,
    -- settlement inflow per yuan of declared sales: far above ~1.1 means money that is not sales (fake trade)
    round(settlement.inflow_12m / nullif(tax_filings.declared_sales_12m, 0), 4)::numeric(18, 4)
        as inflow_to_declared_sales,

    -- court
    coalesce(court.open_defendant_cases, 0)::integer as open_defendant_cases,
    coalesce(court.open_defendant_amount, 0)::numeric(18, 2) as open_defendant_amount,
    coalesce(court.open_enforcement_cases, 0)::integer as open_enforcement_cases,
    coalesce(court.is_dishonest_debtor, false) as is_dishonest_debtor,
    coalesce(court.has_consumption_restriction, false) as has_consumption_restriction
from enterprises
left join industries on enterprises.industry_section = industries.industry_section
left join settlement on enterprises.uscc = settlement.uscc
left join daily_settlement on enterprises.uscc = daily_settlement.uscc
left join tax_filings on enterprises.uscc = tax_filings.uscc
left join tax_ratings on enterprises.uscc = tax_ratings.uscc
left join utilities on enterprises.uscc = utilities.uscc
left join court on enterprises.uscc = court.uscc
