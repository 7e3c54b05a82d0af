-- One row per firm and rating year, the latest rating delivered on or before the as-of date.
with tax_credit_ratings as (
    {{ latest_delivered(source('tax', 'tax_credit_ratings'), ['uscc', 'rating_year']) }}
),

renamed as (
    select
        uscc,
        rating_year::integer as rating_year,
        credit_rating,
        published_date::date as published_date,
        _delivery_date as delivered_on,
        _source_file as source_file
    from tax_credit_ratings
)

select * from renamed
