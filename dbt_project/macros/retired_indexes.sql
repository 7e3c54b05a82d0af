{#
  Drops the indexes an earlier version of the model made on `this` and the model no longer declares, each named
  by its key columns as PostgreSQL writes them (e.g. 'uscc, booking_date'). dbt makes a table's indexes only when
  it creates the table, so an incremental model's retired index would stay in an upgraded warehouse and be kept
  up to date by every daily insert. Drops only what is there: a drop locks the table.
#}
{% macro drop_retired_indexes(retired_keys) -%}
    {%- set statements = [] -%}
    {%- if execute and is_incremental() -%}
        {%- set query -%}
            select format('drop index %I.%I', schemaname, indexname)
            from pg_indexes
            where schemaname = '{{ this.schema }}'
                and tablename = '{{ this.identifier }}'
                and indexdef not like 'CREATE UNIQUE %'
                and substring(indexdef from '\(([^()]*)\)$') in ('{{ retired_keys | join("', '") }}')
        {%- endset -%}
        {%- set statements = run_query(query).columns[0].values() -%}
    {%- endif -%}
    {%- if statements -%}
        {{ statements | join('; ') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
