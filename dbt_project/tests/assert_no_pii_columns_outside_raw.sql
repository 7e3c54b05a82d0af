-- Personal data (legal representative's ID number, phone, name) stays in raw: no column that looks like it
-- exists in any schema dbt builds, unless it is a hash.
select
    table_schema,
    table_name,
    column_name
from information_schema.columns
where table_catalog = '{{ target.database }}'
    and table_schema in ('staging', 'intermediate', 'marts', 'reference', 'snapshots')
    and column_name ~* '(id_number|id_card|identity|phone|mobile|legal_rep)'
    and column_name !~* '_hash$'
