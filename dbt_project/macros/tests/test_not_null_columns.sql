{#
  Generic test: none of `columns` holds a NULL. One test per model, not one per column: every test is a dbt node
  with its own start-up and metadata look-ups (about 0.1 s), which cost more than the scan itself; on `large`,
  a next-day build ran 149 not_null tests for about 2.5 s of its 35. Fails with one row per column holding
  NULLs, naming it and counting them.
#}
{% test not_null_columns(model, columns) %}
    select
        nulls.column_name,
        nulls.null_rows
    from (
        select
            {%- for column in columns %}
            count(*) filter (where {{ adapter.quote(column) }} is null) as null_rows_{{ loop.index }}
            {{- ',' if not loop.last }}
            {%- endfor %}
        from {{ model }}
    ) as counted
    cross join lateral (
        values
            {%- for column in columns %}
            ('{{ column }}', counted.null_rows_{{ loop.index }}){{ ',' if not loop.last }}
            {%- endfor %}
    ) as nulls (column_name, null_rows)
    where nulls.null_rows > 0
{% endtest %}
