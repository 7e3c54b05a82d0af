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
{% macro settlement_deliveries_loaded_since(relation) -%}
    select distinct delivery_date
    from {{ source('audit', 'load_manifest') }}
    where raw_table = {{ settlement_raw_table() }}
      and load_id > (select coalesce(max(batch_load_id), 0) from {{ relation }})
{%- endmacro %}

{#
  Delivery dates to derive again for `relation`: those loaded since its rows were written, and every other
  delivery carrying a transaction of theirs (int_settlement_transaction_versions), whose version's superseded_on
  may have changed. A model that calls it declares `-- depends_on:` the versions model.
#}
{% macro settlement_deliveries_to_refresh(relation) -%}
    with loaded as ({{ settlement_deliveries_loaded_since(relation) }})
    select delivery_date from loaded
    union
    select linked.delivered_on
    from {{ ref('int_settlement_transaction_versions') }} as linked
    where linked.txn_id in (
        select versions.txn_id
        from {{ ref('int_settlement_transaction_versions') }} as versions
        where versions.delivered_on in (select loaded.delivery_date from loaded)
    )
{%- endmacro %}

{# The loads whose rows are in raw now, for the given delivery dates (a subquery or a list of dates). #}
{% macro settlement_loads_in_raw(delivery_dates) -%}
    select load_manifest.load_id
    from {{ source('audit', 'load_manifest') }} as load_manifest
    where load_manifest.raw_table = {{ settlement_raw_table() }}
      and {{ loads_in_raw_condition() }}
      and load_manifest.delivery_date in ({{ delivery_dates }})
{%- endmacro %}

{#
  The settlement loads that can share a transaction with another load: those whose range of txn_id (recorded by
  the loader in the manifest, key_low..key_high, byte order) meets another load's. Only their rows need their
  versions ordered; finding repeats among all 26.7 M rows of `large` by grouping them took 40 s of a first build,
  and daily files, whose transaction ids grow with the day, meet no other file. Every load of the table counts,
  whatever its status, and a load with rows but no recorded range meets every load: a missing range costs time,
  never a missed version. (Within one file a key is never repeated: the loader quarantines the repeats.)
  Rows that no load of the manifest stands behind (the dev fixture's, load 0) are looked at too: see
  settlement_load_is_unrecorded.
#}
{% macro settlement_loads_sharing_keys() -%}
    select this_load.load_id
    from {{ source('audit', 'load_manifest') }} as this_load
    where this_load.raw_table = {{ settlement_raw_table() }}
      and this_load.rows_loaded > 0
      and exists (
          select from {{ source('audit', 'load_manifest') }} as other_load
          where other_load.raw_table = {{ settlement_raw_table() }}
            and other_load.rows_loaded > 0
            and other_load.load_id <> this_load.load_id
            and (this_load.key_low is null or other_load.key_low is null
                 or (other_load.key_low collate "C" <= this_load.key_high
                     and other_load.key_high collate "C" >= this_load.key_low))
      )
{%- endmacro %}

{#
  True for a row of raw whose load has no row in the manifest: the loader records each load in the transaction
  that writes its rows, so that is a load id outside the manifest's range of settlement loads (all of them when
  the manifest has none). A range, so that raw's BRIN index on _load_id finds such rows without a scan.
#}
{% macro settlement_load_is_unrecorded(column) -%}
    ({{ column }} < (select coalesce(min(recorded.load_id), 1) from {{ source('audit', 'load_manifest') }} as recorded
                     where recorded.raw_table = {{ settlement_raw_table() }})
     or {{ column }} > (select coalesce(max(recorded.load_id), 0) from {{ source('audit', 'load_manifest') }} as recorded
                        where recorded.raw_table = {{ settlement_raw_table() }}))
{%- endmacro %}

{#
  Point in time for the deduplicated settlement rows (and the account-days): the version of a transaction that
  the bank knew on the as-of date was delivered on or before it and not yet superseded by a later delivery.
#}
{% macro settlement_known_on_as_of_date(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    ({{ prefix }}delivered_on <= {{ as_of_date() }}
     and ({{ prefix }}superseded_on is null or {{ prefix }}superseded_on > {{ as_of_date() }}))
{%- endmacro %}

{#
  The values of a query's single column as a literal SQL list, for `column in (...)`: with literals PostgreSQL
  estimates the rows from the column's statistics and walks the BRIN on delivered_on (or raw's BRIN on
  _load_id), while `in (subquery)` was planned as a scan of every transaction ever loaded. `kind`: 'date' or
  'integer'. Rendered when the model is compiled, before its pre-hook runs, so that both name the same values.
  An empty list renders as `null`, which matches nothing.
#}
{% macro literal_list(query, kind='date') -%}
    {%- set values = run_query(query).columns[0].values() if execute else [] -%}
    {%- for value in values | sort -%}
        {{ "date '" ~ value ~ "'" if kind == 'date' else value | int }}{{ ', ' if not loop.last }}
    {%- else -%}
        null
    {%- endfor -%}
{%- endmacro %}

{# Pre-hook: remove the delivery dates about to be re-derived (inside the model's transaction). #}
{% macro delete_settlement_deliveries_to_refresh() -%}
    {%- set dates = literal_list(settlement_deliveries_to_refresh(this)) if is_incremental() else 'null' -%}
    {%- if dates != 'null' -%}
        delete from {{ this }} where delivered_on in ({{ dates }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#
  Incremental strategy `replace_deliveries` (config incremental_strategy='replace_deliveries'): the build's rows
  replace every delivery date they carry, as delete+insert keyed by delivered_on does, but the delete names the
  dates (see literal_list), so that its cost follows the deliveries written, not the table.
#}
{% macro get_incremental_replace_deliveries_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set batch = arg_dict['temp_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    {%- set dates = literal_list('select distinct delivered_on from ' ~ batch) -%}
    {%- if dates != 'null' %}
    delete from {{ target }} where delivered_on in ({{ dates }});
    {%- endif %}
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ batch }}
{%- endmacro %}

{#
  Input key of the settlement windows of complete months (input_keys.sql): every delivery known on the as-of
  date that carried, or superseded, a booking before the as-of month, with the load that last wrote it
  (int_settlement_deliveries). Days 2 to 31 of a month bring bookings of that month only, so the key stays,
  and the 12-month windows are computed once a month, or again when a correction reaches back.
#}
{% macro settlement_months_known_key() -%}
    (select coalesce(string_agg(deliveries.delivered_on || ':' || deliveries.batch_load_id, ','
                                order by deliveries.delivered_on), '')
     from {{ ref('int_settlement_deliveries') }} as deliveries
     where deliveries.delivered_on <= {{ as_of_date() }}
         and deliveries.earliest_booking_date < {{ window_end() }})
{%- endmacro %}

{# The input key of a 12-month settlement window model; `with_enterprises`: it also reads the customer master. #}
{% macro settlement_window_input_key(with_enterprises=false) -%}
    {%- set parts = [settlement_months_known_key(), '(' ~ window_end() ~ ')::text'] -%}
    {%- if with_enterprises -%}
        {%- do parts.append(feed_loads_known_key(source('enterprise', 'enterprise_master'))) -%}
    {%- endif -%}
    {{ input_key(parts) }}
{%- endmacro %}
