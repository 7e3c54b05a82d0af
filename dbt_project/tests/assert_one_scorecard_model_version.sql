-- One model scores a date: the points seed holds exactly one model version, and the score bands seed holds the
-- bands of that version.
with versions as (
    select distinct model_version from {{ ref('scorecard_points') }}
)

select 'scorecard_points holds ' || count(*) || ' model versions' as problem
from versions
having count(*) <> 1
union all
select 'scorecard_score_bands has no bands of the active model' as problem
from versions
where (select count(all_versions.model_version) from versions as all_versions) = 1
    and not exists (
        select from {{ ref('scorecard_score_bands') }} as bands
        where bands.model_version = versions.model_version
    )
