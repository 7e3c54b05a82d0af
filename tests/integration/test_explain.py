"""`sme-credit explain` and marts.customer_explanations on a published warehouse: the explanation adds up to the
published score, tier, pool status and limit."""

from __future__ import annotations

from sqlalchemy import text

from sme_credit import warehouse
from sme_credit.publish import explain


def _one(url: str, sql: str):
    with warehouse.engine_for(url).connect() as conn:
        return conn.execute(text(sql)).mappings().first()


def test_a_candidate_is_explained_by_its_points_conditions_and_limit(published):
    day = published.dates[-1]
    candidate = _one(
        published.url,
        f"select c.uscc, c.score, c.suggested_limit, c.limit_basis, e.scored_features, e.conditions_missed "
        f"from marts.precredit_candidates as c join marts.customer_explanations as e using (uscc, as_of_date) "
        f"where c.as_of_date = '{day}' order by c.uscc limit 1",
    )
    # the points add up to the published score, and a candidate misses nothing
    assert sum(item["points"] for item in candidate["scored_features"]) == candidate["score"]
    assert candidate["conditions_missed"] == []
    lines = explain.explain(warehouse.engine_for(published.url), candidate["uscc"], day)
    text_ = "\n".join(lines)
    assert lines[0].startswith(candidate["uscc"]) and f"as of {day}" in lines[0]
    assert "Pre-credit pool: candidate" in text_ and "conditions missed: (none)" in text_
    assert f"set by {candidate['limit_basis']})" in text_ and f"{candidate['suggested_limit']:,.0f}" in text_
    assert "Tier history:" in text_ and "Points per scored feature" in text_


def test_a_refused_firm_shows_why(published):
    day = published.dates[-1]
    refused = _one(
        published.url,
        f"select uscc, pool_status, reason_codes, conditions_missed from marts.customer_explanations "
        f"where as_of_date = '{day}' and pool_status in ('knocked_out', 'tier_not_eligible', 'not_in_pool') "
        f"order by pool_status, uscc limit 1",
    )
    assert refused is not None
    text_ = "\n".join(explain.explain(warehouse.engine_for(published.url), refused["uscc"]))
    assert f"Pre-credit pool: {refused['pool_status']}" in text_
    if refused["pool_status"] == "not_in_pool":
        assert len(refused["conditions_missed"]) >= 2 and ", ".join(refused["conditions_missed"]) in text_
    else:
        assert "conditions met" not in text_ and (refused["reason_codes"] or "") in text_
