{#
  The rows of a raw table as known on the as-of date: only deliveries on or before it, and for each key the
  latest version (latest _delivery_date, then highest _line_number). Versions of a key differ only as the
  contract's correction rule allows (a bill re-sent when paid); the loader quarantines any other as a conflict.
  Renders a subquery for a staging model's first CTE.
#}
{% macro latest_delivered(relation, key_columns) -%}
    select *
    from (
        select
            raw_rows.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by _delivery_date desc, _line_number desc
            ) as version_rank
        from {{ relation }} as raw_rows
        where _delivery_date <= {{ as_of_date() }}
    ) as versions
    where version_rank = 1
{%- endmacro %}
