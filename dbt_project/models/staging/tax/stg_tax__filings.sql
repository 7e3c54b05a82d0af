-- One row per firm and tax period (month), the latest filing delivered on or before the as-of date.
-- Kept while the feed's deliveries known on the as-of date stay the same (macros/input_keys.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ truncate_when_input_key_changes(feed_input_key(source('tax', 'tax_filings'))) }}",
) }}

with tax_filings as (
    {{ latest_delivered(source('tax', 'tax_filings'), ['uscc', 'tax_period']) }}
),

renamed as (
    select
        uscc,
        tax_period,
        to_date(tax_period, 'YYYY-MM') as tax_period_month,
        declared_sales::numeric(18, 2) as declared_sales,
        vat_paid::numeric(18, 2) as vat_paid,
        income_tax_paid::numeric(18, 2) as income_tax_paid,
        coalesce(vat_paid::numeric(18, 2), 0) + coalesce(income_tax_paid::numeric(18, 2), 0) as tax_paid,
        filing_date::date as filing_date,
        is_late::boolean as is_late,
        is_zero_declaration::boolean as is_zero_declaration,
        _delivery_date as delivered_on,
        _source_file as source_file
    from tax_filings
)

select
    *,
    {{ feed_input_key(source('tax', 'tax_filings')) }} as input_key
from renamed
{{ unless_input_key_kept() }}
