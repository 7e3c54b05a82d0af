{#
  Does the published mart `identifier` (schema marts) exist? Not on the very first build of a warehouse; always
  while parsing and in unit tests, which give it as an input.
#}
{% macro published_mart_exists(identifier) %}
    {{ return(
        not execute or model.resource_type == 'unit_test'
        or adapter.get_relation(database=target.database, schema='marts', identifier=identifier) is not none
    ) }}
{% endmacro %}

{#
  The published rows of the latest as-of date strictly before the one being built, as the body of a CTE: a
  rebuilt past date compares with its own predecessor, never with later dates. `table` is the source
  published.<table> (the published mart `mart`); `columns` a list of (name, type) pairs, the types for the empty
  result of the very first build, when nothing is published yet.
#}
{% macro previous_published(table, mart, columns) %}
    {%- if published_mart_exists(mart) -%}
    select
        {% for name, _ in columns -%}
        published.{{ name }}{{ "," if not loop.last }}
        {% endfor -%}
    from {{ source('published', table) }} as published
    where published.as_of_date = (
            select max(earlier.as_of_date) from {{ source('published', table) }} as earlier
            where earlier.as_of_date < {{ as_of_date() }}
        )
    {%- else -%}
    select
        {% for name, type in columns -%}
        null::{{ type }} as {{ name }}{{ "," if not loop.last }}
        {% endfor -%}
    where false
    {%- endif %}
{% endmacro %}
