{#
  dbt's get_where_subquery (what a data test reads from the model it tests), extended for tables kept by input
  key (macros/input_keys.sql): their rows are tested once per input key. A key the staging gate recorded in
  audit.validated_input_keys (plugins/sme_credit/transform/input_keys.py) was tested and validated already, so the test
  reads none of its rows; a new key is tested in full. The test's own `where` config still applies.
#}
{% macro postgres__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append(config.get('where')) -%}
    {%- endif -%}
    {%- set kept = rows_not_yet_validated(relation) -%}
    {%- if kept -%}
        {%- do conditions.append(kept) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{% macro rows_not_yet_validated(relation) -%}
    {%- if not execute or relation.identifier is not defined -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set records = adapter.get_relation(database=relation.database, schema='audit', identifier='validated_input_keys') -%}
    {%- if records is none -%}
        {{- return('') -}}
    {%- endif -%}
    {%- if not has_input_key(relation) -%}
        {{- return('') -}}
    {%- endif -%}
    {#- every row holds the same key: one look-up, and PostgreSQL skips the table's scan when it was validated -#}
    {{- return(
        "not exists (select from " ~ records ~ " as validated"
        ~ " where validated.relation = '" ~ relation.schema ~ "." ~ relation.identifier ~ "'"
        ~ " and validated.input_key = " ~ stored_input_key(relation) ~ ")"
    ) -}}
{%- endmacro %}
