{#
  Pre-hook of the incremental marts: remove the run date's rows before the new ones go in, inside the same
  transaction. delete+insert on (uscc, as_of_date) alone would leave behind a firm that is no longer in a
  re-run date's result (e.g. a candidate knocked out by a corrected delivery), and would delete nothing at
  all when the new result is empty.
#}
{% macro delete_as_of_date_slice() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where as_of_date = {{ as_of_date() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
