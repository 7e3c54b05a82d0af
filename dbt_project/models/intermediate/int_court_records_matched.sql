-- Every court record known on the as-of date, with the enterprise it concerns.
-- Courts often name a party without its USCC, so: by USCC when the court gives one (a USCC that is not in
-- the master is another firm: unmatched), else by normalised name; a normalised name shared by two firms of
-- the master identifies neither and stays unmatched rather than hitting the wrong firm.
with court_records as (
    select * from {{ ref('stg_court__records') }}
),

enterprises as (
    select
        uscc,
        enterprise_name_normalised
    from {{ ref('stg_enterprise__enterprises') }}
),

unambiguous_names as (
    select
        enterprise_name_normalised,
        min(uscc) as uscc
    from enterprises
    where enterprise_name_normalised is not null
    group by enterprise_name_normalised
    having count(*) = 1
),

matched as (
    select
        court_records.*,
        case
            when court_records.party_uscc is not null then by_uscc.uscc
            else by_name.uscc
        end as uscc,
        case
            when court_records.party_uscc is not null and by_uscc.uscc is not null then 'uscc'
            when court_records.party_uscc is null and by_name.uscc is not null then 'normalised_name'
            else 'unmatched'
        end as match_method
    from court_records
    left join enterprises as by_uscc
        on court_records.party_uscc = by_uscc.uscc
    left join unambiguous_names as by_name
        on court_records.party_uscc is null
            and court_records.party_name_normalised = by_name.enterprise_name_normalised
)

select
    record_id,
    uscc,
    match_method,
    record_type,
    case_number,
    court_name,
    case_type,
    cause,
    party_name,
    party_name_normalised,
    party_uscc,
    party_role,
    amount,
    filing_date,
    closing_date,
    status,
    -- open on the as-of date: filed by then and not closed by then
    (
        coalesce(filing_date <= {{ as_of_date() }}, true)
        and (status = 'open' or closing_date > {{ as_of_date() }})
    ) as is_open,
    delivered_on
from matched
