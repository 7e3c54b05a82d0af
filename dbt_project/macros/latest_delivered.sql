{#
  The rows of a raw table as known on the as-of date: only deliveries on or before it, and for each key the
  latest version (latest _delivery_date, then highest _line_number). Versions of a key differ only as the
  contract's correction rule allows (a bill re-sent when paid); the loader quarantines any other as a conflict.
  Each row also gets _source_file, its landed file, from the manifest (raw rows name only their load).
  Renders a subquery for a staging model's first CTE.
#}
{% macro latest_delivered(relation, key_columns) -%}
    select
        versions.*,
        load_manifest.source_file as _source_file
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
    left join {{ source('audit', 'load_manifest') }} as load_manifest
        on versions._load_id = load_manifest.load_id
    where versions.version_rank = 1
{%- endmacro %}
