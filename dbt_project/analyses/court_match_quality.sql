-- How well court records are matched to the enterprise master on the as-of date, by record type.
-- Compile with `dbt compile -s court_match_quality --vars '{as_of_date: YYYY-MM-DD}'` and run the SQL in
-- target/compiled. Many 'unmatched' records with a NULL party_uscc point at a name spelling that
-- normalise_company_name does not yet fold.
select
    record_type,
    match_method,
    count(*) as records,
    count(*) filter (where is_open) as open_records,
    count(*) filter (where party_uscc is null) as named_without_uscc
from {{ ref('int_court_records_matched') }}
group by record_type, match_method
order by record_type, match_method
