{#
  Generic test: no two rows share the same values in all of `combination_of_columns`
  (e.g. the (uscc, as_of_date) grain of the marts). Fails with one row per duplicated combination.
#}
{% test unique_combination(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
