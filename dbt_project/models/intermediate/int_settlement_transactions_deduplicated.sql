-- Every settlement transaction once per delivery that carried it, with the date a later delivery superseded
-- it (superseded_on; NULL while current), so that any as-of date sees exactly the version it knew
-- (macro settlement_known_on_as_of_date). Incremental, keyed by delivery: a build re-derives only the delivery
-- dates loaded since the last one (macros/settlement_increments.sql), reading their rows from raw by load_id,
-- plus, when one of their transactions also came in another delivery, that delivery's rows (their
-- superseded_on changes). A corrected re-delivery of an old file re-derives exactly that delivery date.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_deliveries',
    on_schema_change='fail',
    pre_hook="{{ delete_settlement_deliveries_to_refresh() }}",
    indexes=[
        {'columns': ['txn_id', 'delivered_on'], 'unique': true},
        {'columns': ['batch_load_id']},
        {'columns': ['delivered_on'], 'type': 'brin'},
        {'columns': ['booking_date'], 'type': 'brin'},
    ],
) }}
{#- (txn_id, delivered_on) is unique by its index: a write that broke it would fail the model. batch_load_id
    keeps a btree: max(batch_load_id), the watermark, is read by every build. The table is written in delivery
    order, so BRIN finds a delivery date as well as a btree, for a fraction of its size and build time.
    Lineage: load_id and line_number (the file is the load's, in audit.load_manifest). #}

{%- set columns = 'txn_id, account_no, uscc, txn_at, booking_date, direction, amount, counterparty_key, '
                 ~ 'counterparty_name_hash, channel, balance_after, delivered_on, line_number, load_id' %}

with
{% if is_incremental() %}
{#- the delivery dates to derive again, and their loads in raw, as literals (see literal_list) #}
{%- set refreshed_dates = literal_list(settlement_deliveries_to_refresh(this)) %}
batch as (
    select {{ columns }}
    from {{ ref('stg_settlement__transactions') }}
    where load_id in ({{ literal_list(settlement_loads_in_raw(refreshed_dates), 'integer') }})
),

linked_deliveries as (
    -- other deliveries that carried a transaction of the batch: their superseded_on may change, so they are
    -- written again (copied from this table)
    select distinct earlier.delivered_on
    from {{ this }} as earlier
    inner join batch on earlier.txn_id = batch.txn_id
    where earlier.delivered_on not in ({{ refreshed_dates }})
),

candidates as (
    select * from batch
    union all
    -- (one version per delivery already: which load it came from no longer matters)
    select {{ columns }}
    from {{ this }}
    where delivered_on in (select linked_deliveries.delivered_on from linked_deliveries)
),

kept_versions as (
    -- versions of the same transactions that stay in the table as they are
    select
        kept.txn_id,
        kept.delivered_on
    from {{ this }} as kept
    where kept.txn_id in (select candidates.txn_id from candidates)
        and kept.delivered_on not in ({{ refreshed_dates }})
        and kept.delivered_on not in (select linked_deliveries.delivered_on from linked_deliveries)
),
{% else %}
candidates as not materialized (
    select {{ columns }}
    from {{ ref('stg_settlement__transactions') }}
),

kept_versions as (
    select
        null::text as txn_id,
        null::date as delivered_on
    where false
),
{% endif %}

repeated as (
    -- transactions delivered more than once (in several files: a delivery's parts, or several deliveries): only
    -- these need their versions ordered; every other row passes straight through. Looked for only in the loads
    -- whose txn_id range meets another load's (macro settlement_loads_sharing_keys). Grouped by a 64-bit hash
    -- of txn_id, which groups many keys faster than the text; a collision only sends a single version through
    -- the ordering below, which gives it the same row (its own txn_id partition, superseded_on NULL).
    select txn_hash
    from (
        select hashtextextended(txn_id, 0) as txn_hash from candidates
        where load_id in ({{ literal_list(settlement_loads_sharing_keys(), 'integer') }})
            or {{ settlement_load_is_unrecorded('load_id') }}
        union all
        select hashtextextended(txn_id, 0) as txn_hash from kept_versions
    ) as all_versions
    group by txn_hash
    having count(*) > 1
),

single as (
    select
        candidates.*,
        null::date as superseded_on
    from candidates
    where not exists (
            select from repeated
            where repeated.txn_hash = hashtextextended(candidates.txn_id, 0)
        )
),

versions as (
    -- a key repeated within one delivery (its parts): the loader lets only identical versions into raw (another
    -- version is a conflict, quarantined), so which line is kept does not change a value
    select distinct on (txn_id, delivered_on) *
    from candidates
    where hashtextextended(txn_id, 0) in (select repeated.txn_hash from repeated)
    order by txn_id asc, delivered_on asc, load_id desc, line_number desc
),

supersessions as (
    select
        txn_id,
        delivered_on,
        lead(delivered_on) over (partition by txn_id order by delivered_on) as superseded_on
    from (
        select
            txn_id,
            delivered_on
        from versions
        union all
        select
            txn_id,
            delivered_on
        from kept_versions
        where hashtextextended(txn_id, 0) in (select repeated.txn_hash from repeated)
    ) as all_versions
),

rewritten as (
    select * from single
    union all
    select
        versions.*,
        supersessions.superseded_on
    from versions
    inner join supersessions
        on versions.txn_id = supersessions.txn_id
            and versions.delivered_on = supersessions.delivered_on
)

select
    rewritten.txn_id,
    rewritten.account_no,
    rewritten.uscc,
    rewritten.txn_at,
    rewritten.booking_date,
    rewritten.direction,
    rewritten.amount,
    rewritten.counterparty_key,
    rewritten.counterparty_name_hash,
    rewritten.channel,
    rewritten.balance_after,
    rewritten.delivered_on,
    rewritten.superseded_on,
    rewritten.line_number,
    rewritten.load_id,
    {{ settlement_batch_load_id() }} as batch_load_id
from rewritten
