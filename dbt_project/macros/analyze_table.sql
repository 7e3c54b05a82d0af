{#
  Post-hook of every model: fresh planner statistics for a table the next models read (autovacuum comes too
  late: a plan made on statistics that knew no row of the new date once ran for 40 minutes). Views have none.
#}
{% macro analyze_table() -%}
    {%- if model.config.materialized in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
