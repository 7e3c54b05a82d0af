-- Each feature of the scorecard has exactly one NULL bin (bounds and categories empty) and either numeric bins that
-- chain without gap or overlap from -infinity to +infinity ([, b1) [b1, b2) ... [bn, )), or categorical bins that
-- each list their categories, no category in two bins.
with numeric_bins as (
    select
        feature,
        lower_bound,
        upper_bound,
        lag(upper_bound) over (partition by feature order by lower_bound nulls first) as previous_upper,
        row_number() over (partition by feature order by lower_bound nulls first) as bin_number,
        count(*) over (partition by feature) as bin_count
    from {{ ref('scorecard_points') }}
    where categories is null and (lower_bound is not null or upper_bound is not null)
),

categories as (
    select
        feature,
        unnest(string_to_array(categories, '|')) as category
    from {{ ref('scorecard_points') }}
    where categories is not null
),

null_bins as (
    select
        feature,
        count(*) filter (where lower_bound is null and upper_bound is null and categories is null) as null_bin_count,
        count(*) filter (where categories is not null) as categorical_bins,
        count(*) filter (where lower_bound is not null or upper_bound is not null) as numeric_bins
    from {{ ref('scorecard_points') }}
    group by feature
)

select
    feature,
    'bins do not chain' as problem
from numeric_bins
where (bin_number = 1 and lower_bound is not null)
    or (bin_number = bin_count and upper_bound is not null)
    or (bin_number > 1 and lower_bound is distinct from previous_upper)
    or (lower_bound >= upper_bound)
union all
select
    feature,
    'needs exactly one NULL bin' as problem
from null_bins
where null_bin_count <> 1
union all
select
    feature,
    'a category is in more than one bin' as problem
from categories
group by feature, category
having count(*) > 1
union all
select
    feature,
    'mixes numeric and categorical bins' as problem
from null_bins
where categorical_bins > 0 and numeric_bins > 0
