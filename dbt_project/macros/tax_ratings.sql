{#
  The input key of int_tax_credit_ratings_aggregated_to_enterprises: the ratings' staging (kept itself), the
  latest publication on or before the as-of date (which ratings count: with the staging fixed, the ratings
  published by a date are those published by the latest publication before it), the as-of year (which streaks
  are stale) and the rating seed the business edits. Daily builds between publications keep the table.
#}
{% macro tax_ratings_input_key() -%}
    {%- set ratings = ref('stg_tax__credit_ratings') -%}
    {{ kept_inputs_key(['stg_tax__credit_ratings'], [
        "(select max(known.published_date)::text from " ~ ratings ~ " as known"
            ~ " where known.published_date <= " ~ as_of_date() ~ ")",
        "extract(year from " ~ as_of_date() ~ ")::text",
        "(select string_agg(seed::text, ',' order by seed::text) from " ~ ref('tax_credit_ratings') ~ " as seed)",
    ]) }}
{%- endmacro %}
