{#
  Tables kept while their inputs stay the same. Many answers change far less often than daily: the staging of
  a monthly feed changes only when that feed delivers, and the 12-month settlement windows only when the month
  turns or a delivery touches a booking day before the month. Such a model is incremental (strategy append)
  and holds the answer for one input key, in column input_key:

      config(materialized='incremental', incremental_strategy='append',
             pre_hook="{{ truncate_when_input_key_changes(<key>) }}")
      ...
      select *, <key> as input_key from final {{ unless_input_key_kept() }}

  A build whose key equals the stored one keeps the rows (the select is gated off and PostgreSQL never runs
  it); any other key empties the table and computes it again. The key covers the model's own code, so a
  changed model is rebuilt; `dbt build --full-refresh` rebuilds regardless.
#}

{#
  An input key: md5 over the model's code and the given SQL expressions (text). A scalar subquery, so that
  PostgreSQL computes it once per statement (an InitPlan): as a bare expression it was hashed again for every
  row, and the settlement keys list every delivery (730 on `large`: 18 of the 44 s of the monthly windows).
#}
{% macro input_key(parts) -%}
    (select md5(concat_ws('|', '{{ local_md5(model.raw_code) }}', {{ parts | join(', ') }})))
{%- endmacro %}

{# Loads of audit.load_manifest whose rows are in raw now: audit.is_in_raw, made by the loader from its IN_RAW. #}
{% macro loads_in_raw_condition(alias='load_manifest') -%}
    audit.is_in_raw({{ alias }}.status)
{%- endmacro %}

{#
  What a raw feed holds as known on the as-of date: every load in raw delivered on or before it. A new
  delivery, a corrected file or a rebuilt past date with fewer deliveries gives another key.
#}
{% macro feed_loads_known_key(relation) -%}
    (select coalesce(string_agg(load_manifest.load_id::text, ',' order by load_manifest.load_id), '')
     from {{ source('audit', 'load_manifest') }} as load_manifest
     where load_manifest.raw_table = '{{ relation.identifier }}'
         and {{ loads_in_raw_condition() }}
         and load_manifest.delivery_date <= {{ as_of_date() }})
{%- endmacro %}

{# The input key of a staging model that reads one raw feed. #}
{% macro feed_input_key(relation) -%}
    {{ input_key([feed_loads_known_key(relation)]) }}
{%- endmacro %}

{# The key a kept table holds (every row holds the same one): NULL when it is empty. #}
{% macro stored_input_key(relation) -%}
    (select kept.input_key from {{ relation }} as kept limit 1)
{%- endmacro %}

{# Does the table hold an input key? Not one written before its model was kept by input key. #}
{% macro has_input_key(relation) -%}
    {{- return('input_key' in (adapter.get_columns_in_relation(relation) | map(attribute='name') | list)) -}}
{%- endmacro %}

{#
  The input key of a model that reads only tables kept by input key: their stored keys. A kept input's key
  changes with its code and its own inputs, so this one changes exactly when any of them is computed again.
  `other_parts`: SQL text expressions for whatever else the model's answer depends on (its window, the part of
  the as-of date it reads).
#}
{% macro kept_inputs_key(model_names, other_parts=[]) -%}
    {%- set parts = [] -%}
    {%- for name in model_names -%}
        {%- do parts.append("coalesce(" ~ stored_input_key(ref(name)) ~ ", '')") -%}
    {%- endfor -%}
    {{ input_key(parts + other_parts) }}
{%- endmacro %}

{# The input key of a model over the window of complete months that reads only kept tables: theirs and the window. #}
{% macro kept_inputs_window_key(model_names) -%}
    {{ kept_inputs_key(model_names, ["(" ~ window_end() ~ ")::text"]) }}
{%- endmacro %}

{% macro truncate_when_input_key_changes(key) -%}
    {%- set kept = false -%}
    {#- a table written before its model was kept by input key has no key: it is computed again -#}
    {%- if execute and is_incremental() and has_input_key(this) -%}
        {%- set query = 'select coalesce(' ~ stored_input_key(this) ~ ' = ' ~ key ~ ', false)' -%}
        {%- set kept = run_query(query).columns[0].values()[0] -%}
    {%- endif -%}
    {%- if is_incremental() and not kept -%}
        truncate {{ this }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{# After the pre-hook, the table is empty exactly when the key changed. #}
{% macro unless_input_key_kept() -%}
    {%- if is_incremental() -%}
        where not exists (select from {{ this }})
    {%- endif -%}
{%- endmacro %}
