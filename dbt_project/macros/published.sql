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
