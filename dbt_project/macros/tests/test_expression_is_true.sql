{#
  Generic test: a boolean SQL expression holds on every row (rows where it is false or null fail).
  Works at model or column level (column_name is then accepted and unused: the expression names its columns).
#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
