-- Tax-filing features per firm over the 12 complete months before the as-of month.
-- A month's return is filed in the following month (by the 15th), so an as-of date early in a month sees
-- at most 11 filed months: tax_filing_months_12m tells how many there are. Kept while the filings' staging
-- and the window stay (macros/input_keys.sql): computed again when tax delivers or the month turns, not daily.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ truncate_when_input_key_changes(kept_inputs_window_key(['stg_tax__filings'])) }}",
) }}

with window_filings as (
    select *
    from {{ ref('stg_tax__filings') }}
    where {{ in_window('tax_period_month', 12) }}
),

aggregated as (
    select
        uscc,
        count(*) as tax_filing_months_12m,
        sum(declared_sales) as declared_sales_12m,
        sum(declared_sales) filter (where tax_period_month >= {{ window_start(6) }}) as declared_sales_6m,
        sum(declared_sales) filter (where tax_period_month < {{ window_start(6) }}) as declared_sales_prior_6m,
        sum(tax_paid) as tax_paid_12m,
        count(*) filter (where is_late) as late_filings_12m,
        count(*) filter (where is_late and tax_period_month >= {{ window_start(6) }}) as late_filings_6m,
        count(*) filter (where is_zero_declaration) as zero_declaration_months_12m
    from window_filings
    group by uscc
)

select
    *,
    {{ kept_inputs_window_key(['stg_tax__filings']) }} as input_key
from aggregated
{{ unless_input_key_kept() }}
