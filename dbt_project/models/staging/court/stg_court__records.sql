-- One row per court record (case, dishonest-debtor entry, consumption-restriction order), as last delivered on
-- or before the as-of date: a case is re-delivered with the same record_id when it closes.
-- Kept while the feed's deliveries known on the as-of date stay the same (macros/input_keys.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ truncate_when_input_key_changes(feed_input_key(source('court', 'court_records'))) }}",
) }}

with court_records as (
    {{ latest_delivered(source('court', 'court_records'), ['record_id']) }}
),

renamed as (
    select
        record_id,
        record_type,
        case_number,
        court_name,
        case_type,
        cause,
        party_name,
        {{ normalise_company_name('party_name') }} as party_name_normalised,
        party_uscc,
        party_role,
        amount::numeric(18, 2) as amount,
        filing_date::date as filing_date,
        closing_date::date as closing_date,
        status,
        _delivery_date as delivered_on,
        _source_file as source_file
    from court_records
)

select
    *,
    {{ feed_input_key(source('court', 'court_records')) }} as input_key
from renamed
{{ unless_input_key_kept() }}
