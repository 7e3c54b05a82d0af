-- Population stability of the scorecard on the as-of date: the score's PSI against the development sample of the
-- model that scored it (seed scorecard_score_bands) and against the previous published as-of date, and each scored
-- feature's PSI over its bins against the development sample (scorecard_points.development_share).
-- Thresholds: vars model_psi_watch and model_psi_alert (tests/assert_model_stability_below_alert.sql warns).
with tiers as (
    select * from {{ ref('customer_risk_tiers') }}
    where as_of_date = {{ as_of_date() }}
),

model_version as (
    select min(model_version) as model_version from tiers
),

bands as (
    select * from {{ ref('scorecard_score_bands') }}
    where model_version = (select model_version_row.model_version from model_version as model_version_row)
),

previous_tiers as (
    {{ previous_published(
        'tiers_as_published', 'customer_risk_tiers', [
            ('uscc', 'text'),
            ('as_of_date', 'date'),
            ('score', 'integer')
        ]
    ) }}
),

band_counts as (
    select
        bands.band,
        bands.development_share,
        (
            select count(*) from tiers
            where tiers.score >= coalesce(bands.lower_bound, '-infinity'::numeric)
                and tiers.score < coalesce(bands.upper_bound, 'infinity'::numeric)
        ) as firms,
        (
            select count(*) from previous_tiers
            where previous_tiers.score >= coalesce(bands.lower_bound, '-infinity'::numeric)
                and previous_tiers.score < coalesce(bands.upper_bound, 'infinity'::numeric)
        ) as previous_firms
    from bands
),

band_shares as (
    select
        band,
        development_share,
        firms::numeric / nullif(sum(firms) over (), 0) as share,
        previous_firms::numeric / nullif(sum(previous_firms) over (), 0) as previous_share
    from band_counts
),

score_psi as (
    select
        'score_psi' as metric,
        'score' as subject,
        'development_sample' as baseline,
        null::date as baseline_as_of_date,
        sum({{ psi_term('share', 'development_share') }}) as psi
    from band_shares
    having count(*) > 0 and sum(share) is not null
    union all
    select
        'score_psi' as metric,
        'score' as subject,
        'previous_as_of_date' as baseline,
        (select max(previous_tiers.as_of_date) from previous_tiers) as baseline_as_of_date,
        sum({{ psi_term('share', 'previous_share') }}) as psi
    from band_shares
    having count(*) > 0 and sum(previous_share) is not null
),

scorecard as (
    select * from {{ ref('scorecard_points') }}
),

feature_bins as (
    select
        scorecard.feature,
        scorecard.development_share,
        count(points.uscc) as firms
    from scorecard
    left join {{ ref('customer_score_points') }} as points
        on scorecard.feature = points.feature
            and points.as_of_date = {{ as_of_date() }}
            and {{ scorecard_bin_label('scorecard') }} = points.bin
    group by
        scorecard.feature, scorecard.lower_bound, scorecard.upper_bound, scorecard.categories,
        scorecard.development_share
),

feature_psi as (
    select
        'feature_psi' as metric,
        feature as subject,
        'development_sample' as baseline,
        null::date as baseline_as_of_date,
        sum({{ psi_term('firms::numeric / nullif(total_firms, 0)', 'development_share') }}) as psi
    from (
        select
            feature_bins.*,
            sum(feature_bins.firms) over (partition by feature_bins.feature) as total_firms
        from feature_bins
    ) as with_totals
    group by feature
    having count(development_share) = count(*)
),

measured as (
    select * from score_psi
    union all
    select * from feature_psi
)

select
    {{ as_of_date() }} as as_of_date,
    (select model_version_row.model_version from model_version as model_version_row) as model_version,
    measured.metric,
    measured.subject,
    measured.baseline,
    measured.baseline_as_of_date,
    round(measured.psi, 6)::numeric(12, 6) as psi,
    {{ psi_status('measured.psi') }} as status
from measured
