"""`sme-credit explain USCC [--date D]`: one firm's portrait, points, knock-outs, reasons, pool conditions, limit
and tier history, read from the published marts (customer_explanations is the same explanation as rows for BI)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, text

from sme_credit.errors import SmeCreditError

# the portrait beside the scored features: what a credit officer asks first
PORTRAIT = (
    ("inflow_12m", "settlement inflow, 12 months (yuan)"),
    ("inflow_30d", "settlement inflow, last 30 days (yuan)"),
    ("avg_balance_3m", "average balance, 3 months (yuan)"),
    ("declared_sales_12m", "declared sales, 12 months (yuan)"),
    ("tax_paid_12m", "tax paid, 12 months (yuan)"),
    ("tax_rating", "latest tax credit rating"),
    ("unpaid_bills", "overdue utility bills"),
    ("firm_age_years", "firm age (years)"),
    ("open_defendant_cases", "open cases as defendant"),
)


def explain(engine: Engine, uscc: str, as_of: dt.date | None = None) -> list[str]:
    with engine.connect() as conn:
        if as_of is None:
            as_of = conn.execute(
                text("select max(as_of_date) from marts.customer_explanations where uscc = :u"), {"u": uscc}
            ).scalar()
        row = (
            conn.execute(
                text("select * from marts.customer_explanations where uscc = :u and as_of_date = :d"),
                {"u": uscc, "d": as_of},
            )
            .mappings()
            .first()
        )
        if row is None:
            raise SmeCreditError(
                f"no published explanation for {uscc}"
                + (f" on {as_of}" if as_of else "")
                + ": check the USCC, or the date (published dates: audit.mart_publications)"
            )
        features = (
            conn.execute(
                text("select * from marts.customer_features where uscc = :u and as_of_date = :d"),
                {"u": uscc, "d": as_of},
            )
            .mappings()
            .one()
        )
        history = conn.execute(
            text(
                "select valid_from, valid_to, risk_tier, score, reason_codes from marts.customer_risk_tiers_history "
                "where uscc = :u order by valid_from"
            ),
            {"u": uscc},
        ).all()
    lines = [
        f"{row['uscc']}  {row['enterprise_name']}  as of {as_of}",
        f"Tier {row['risk_tier']}, score {row['score']} (model {row['model_version']})"
        + ("; KNOCKED OUT" if row["knock_out"] else ""),
        f"Reasons: {row['reason_codes'] or '(none stands out)'}",
        "Portrait:",
        *[f"  {label:<42} {_show(features[name])}" for name, label in PORTRAIT],
        "Points per scored feature (worst first):",
    ]
    for item in row["scored_features"] or []:
        lines.append(
            f"  {item['feature']:<28} {_show(item['value']):>14}  bin {item['bin']:<18} {item['points']:>4} points"
            + (f"  (-{item['points_lost']}: {item['reason_code']})" if item["points_lost"] else "")
        )
    lines.append(f"Pre-credit pool: {row['pool_status']}")
    if row["conditions_met"] is not None:
        lines.append(f"  conditions met:    {', '.join(row['conditions_met']) or '(none)'}")
        lines.append(f"  conditions missed: {', '.join(row['conditions_missed']) or '(none)'}")
        lines.append("Limit: the lowest of")
        for name, label in (
            ("inferred_demand", "inferred demand"),
            ("tier_cap_limit", "tier cap"),
            ("inflow_share_limit", "tier's share of 12-month inflow"),
            ("tax_multiple_limit", "tier's multiple of 12-month tax paid"),
        ):
            lines.append(f"  {label:<40} {_show(row[name]):>14}")
        lines.append(f"  -> suggested limit {_show(row['suggested_limit'])} (set by {row['limit_basis']})")
    lines.append("Tier history:")
    for valid_from, valid_to, tier, score, reasons in history:
        until = str(valid_to) if valid_to else "now"  # a date's format spec is strftime's: format the text
        lines.append(f"  {valid_from} .. {until:<10}  {tier:<15} {score:>4}  {reasons or ''}")
    return lines


def _show(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):  # a feature value as text: numbers shortened
        try:
            value = float(value)
        except ValueError:
            return str(value)
    if isinstance(value, (int, float)) or hasattr(value, "is_finite"):
        number = float(value)  # type: ignore[arg-type]
        return f"{number:,.0f}" if number.is_integer() or abs(number) >= 1000 else f"{number:,.4g}"
    return str(value)
