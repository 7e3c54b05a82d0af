{#
  Use the custom schema name as is (staging, intermediate, marts, reference, snapshots), not dbt's default
  "<target schema>_<custom schema>": BI tools and the pipeline address these schemas by their plain names.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
