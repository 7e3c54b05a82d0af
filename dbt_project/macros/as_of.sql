{#
  Point-in-time helpers. The run's business date comes from var('as_of_date') ('YYYY-MM-DD'; YAML may hand it
  over as a date object, both work).

  Rules every model follows:
    * a raw row counts only if it was delivered on or before the as-of date (_delivery_date <= as_of_date);
    * an N-month window is the N complete calendar months before the month of the as-of date:
      for as_of_date 2026-11-03, the 12-month window is 2025-11-01 <= month < 2026-11-01.
#}

{% macro as_of_date_string() -%}
    {%- set value = var('as_of_date') | string -%}
    {%- if not modules.re.match('^\d{4}-\d{2}-\d{2}$', value) -%}
        {{ exceptions.raise_compiler_error("var as_of_date must be 'YYYY-MM-DD', got '" ~ value ~ "'") }}
    {%- endif -%}
    {#- raises on impossible dates such as 2026-02-30 -#}
    {%- set _ = modules.datetime.date.fromisoformat(value) -%}
    {{- return(value) -}}
{%- endmacro %}

{% macro as_of_date() -%}
    date '{{ as_of_date_string() }}'
{%- endmacro %}

{# First day of the month `months_back` months before the as-of month (0 = the as-of month itself). #}
{% macro as_of_month_start(months_back=0) -%}
    {%- set value = as_of_date_string() -%}
    {%- set month_index = (value[0:4] | int) * 12 + (value[5:7] | int) - 1 - months_back -%}
    date '{{ "%04d-%02d-01" | format(month_index // 12, month_index % 12 + 1) }}'
{%- endmacro %}

{# Exclusive end of every window: the first day of the as-of month. #}
{% macro window_end() -%}
    {{ as_of_month_start(0) }}
{%- endmacro %}

{# Inclusive start of an N-month window. #}
{% macro window_start(months) -%}
    {{ as_of_month_start(months) }}
{%- endmacro %}

{# True for a month (a date on the 1st) inside the last `months` complete months. #}
{% macro in_window(month_column, months) -%}
    ({{ month_column }} >= {{ window_start(months) }} and {{ month_column }} < {{ window_end() }})
{%- endmacro %}
