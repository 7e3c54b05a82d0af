{# Tax credit ratings as an ordinal rank, higher = better: A 4, B and M 3, C 1, D 0 (NULL when unrated). #}
{% macro rating_rank(column) -%}
    case {{ column }} when 'A' then 4 when 'B' then 3 when 'M' then 3 when 'C' then 1 when 'D' then 0 end
{%- endmacro %}
