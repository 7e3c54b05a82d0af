{#
  How the incremental settlement models find their work without scanning raw. Every load of a settlement file
  gets a new, increasing load_id in audit.load_manifest (a new file, a corrected re-delivery, a reload after a
  crash). A model row records in batch_load_id the highest settlement load_id known when it was written, so
  max(batch_load_id) is the model's watermark: every delivery date with a load above it is re-derived whole
  (its current files, read by _load_id), and nothing else is read.
#}

{% macro settlement_raw_table() -%}
    'settlement_transactions'
{%- endmacro %}

{# The highest settlement load_id: stamped on every row written by this build. #}
{% macro settlement_batch_load_id() -%}
    (select coalesce(max(load_id), 0) from {{ source('audit', 'load_manifest') }}
     where raw_table = {{ settlement_raw_table() }})
{%- endmacro %}

{# Delivery dates with a settlement load newer than the rows of `relation` (all of them on a first build). #}
{% macro settlement_deliveries_to_refresh(relation) -%}
    select distinct delivery_date
    from {{ source('audit', 'load_manifest') }}
    where raw_table = {{ settlement_raw_table() }}
      and load_id > (select coalesce(max(batch_load_id), 0) from {{ relation }})
{%- endmacro %}

{# The loads whose rows are in raw now, for the given delivery dates (a subquery of delivery dates). #}
{% macro settlement_loads_in_raw(delivery_dates) -%}
    select load_id
    from {{ source('audit', 'load_manifest') }}
    where raw_table = {{ settlement_raw_table() }}
      and status in ('loaded', 'replaced')
      and delivery_date in ({{ delivery_dates }})
{%- endmacro %}

{#
  Point in time for the deduplicated settlement rows: the version of a transaction that the bank knew on the
  as-of date was delivered on or before it and not yet superseded by a later delivery.
#}
{% macro settlement_known_on_as_of_date(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    ({{ prefix }}delivered_on <= {{ as_of_date() }}
     and ({{ prefix }}superseded_on is null or {{ prefix }}superseded_on > {{ as_of_date() }}))
{%- endmacro %}

{# Pre-hook: remove the delivery dates about to be re-derived (inside the model's transaction). #}
{% macro delete_settlement_deliveries_to_refresh() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where delivered_on in ({{ settlement_deliveries_to_refresh(this) }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
