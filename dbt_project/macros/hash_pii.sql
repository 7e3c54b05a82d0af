{#
  Personal data (the legal representative's ID number, phone, name) never leaves raw in clear: staging
  exposes an md5 of the trimmed value, enough to join or count duplicates, nothing to read.
#}
{% macro hash_pii(column) -%}
    md5(nullif(trim({{ column }}), ''))
{%- endmacro %}
