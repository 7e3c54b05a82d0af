-- The tax credit rating per firm as of the as-of date: the latest rating published on or before it, and how
-- many consecutive years up to the latest rated year were rated A (3 -> eligible for unsecured tax loans).
-- Kept while its inputs stay (macro tax_ratings_input_key): computed again when a rating is published or
-- delivered, or the year turns, not daily.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ truncate_when_input_key_changes(tax_ratings_input_key()) }}",
) }}

with published_ratings as (
    select *
    from {{ ref('stg_tax__credit_ratings') }}
    where published_date <= {{ as_of_date() }}
),

ranked as (
    select
        *,
        row_number() over (partition by uscc order by published_date desc, rating_year desc) as publication_rank,
        row_number() over (partition by uscc order by rating_year desc) as year_rank,
        max(rating_year) over (partition by uscc) as latest_rating_year
    from published_ratings
),

a_streaks as (
    -- the streak breaks at the first year (counting back) that is not A or is missing from the sequence
    select
        uscc,
        min(year_rank) filter (
            where credit_rating <> 'A' or rating_year <> latest_rating_year - year_rank + 1
        ) as first_break_rank,
        count(*) as rated_years
    from ranked
    group by uscc
),

final as (
    select
        ranked.uscc,
        ranked.credit_rating as tax_rating,
        ratings.rating_rank as tax_rating_rank,
        ranked.rating_year as tax_rating_year,
        ranked.published_date as tax_rating_published_date,
        case
            -- a streak that ended more than one publishable year ago is stale: rating year Y is published in
            -- April of Y + 1, so on 2026-11-03 the latest possible is 2025 and 2024 is still acceptable
            when ranked.latest_rating_year < extract(year from {{ as_of_date() }})::integer - 2 then 0
            else coalesce(a_streaks.first_break_rank - 1, a_streaks.rated_years)
        end::integer as consecutive_a_years
    from ranked
    inner join a_streaks on ranked.uscc = a_streaks.uscc
    left join {{ ref('tax_credit_ratings') }} as ratings on ranked.credit_rating = ratings.credit_rating
    where ranked.publication_rank = 1
)

select
    *,
    {{ tax_ratings_input_key() }} as input_key
from final
{{ unless_input_key_kept() }}
