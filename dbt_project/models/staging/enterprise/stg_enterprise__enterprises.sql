-- One row per enterprise in the bank's customer master as known on the as-of date.
-- The legal representative's personal data is reduced to keyed pseudonyms here (macro hash_pii) and goes no further.
-- Kept while the feed's deliveries known on the as-of date stay the same (macros/input_keys.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ truncate_when_input_key_changes(feed_input_key(source('enterprise', 'enterprise_master'))) }}",
) }}

with enterprise_master as (
    {{ latest_delivered(source('enterprise', 'enterprise_master'), ['uscc']) }}
),

renamed as (
    select
        uscc,
        enterprise_name,
        {{ normalise_company_name('enterprise_name') }} as enterprise_name_normalised,
        industry_code,
        left(industry_code, 1) as industry_section,
        region_code,
        established_date::date as established_date,
        registered_capital::numeric(18, 2) as registered_capital,
        {{ hash_pii('legal_rep_name') }} as legal_rep_name_hash,
        {{ hash_pii('legal_rep_id_number') }} as legal_rep_id_number_hash,
        {{ hash_pii('legal_rep_phone') }} as legal_rep_phone_hash,
        customer_since::date as customer_since,
        updated_at::timestamp as updated_at,
        _delivery_date as delivered_on,
        _source_file as source_file
    from enterprise_master
)

select
    *,
    {{ feed_input_key(source('enterprise', 'enterprise_master')) }} as input_key
from renamed
{{ unless_input_key_kept() }}
