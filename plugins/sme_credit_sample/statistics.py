"""How realistic a generated world is, measured from its delivered files as the pipeline would see them.

    from sme_credit_sample.statistics import measure
    figures = measure(Path("data/landing"))      # or: sme-credit world-stats

The hidden side (which firms fake trade, who defaults when) comes from the ground truth and the world model;
only tests, backtests and this report read it. `tests/unit/test_world_statistics.py` asserts on these figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sme_credit.contract.feeds import landed_files
from sme_credit_sample.firms import build_world
from sme_credit_sample.landing import ground_truth_path
from sme_credit_sample.world import SCALES, read_world_spec

RATING_POINTS = {"A": 4, "B": 3, "M": 3, "C": 2, "D": 1}


def _table(landing: Path, feed: str, name: str) -> pd.DataFrame:
    frames = []
    for landed in landed_files(landing, feed):
        # only the genuine deliveries: a fault catalogue's files are malformed on purpose
        if landed.table.name != name or landed.is_part:
            continue
        if not landed.path.stat().st_size:
            continue
        if landed.table.file_format == "jsonl":
            text = landed.path.read_text(encoding=landed.table.encoding)
            frame = pd.DataFrame([json.loads(line) for line in text.splitlines()])
        else:
            frame = pd.read_csv(landed.path, dtype=str, encoding=landed.table.encoding, keep_default_na=False)
        frames.append(frame.assign(_delivery=landed.delivery_date.isoformat()))
    return pd.concat(frames, ignore_index=True)


@dataclass
class DeliveredWorld:
    """The delivered feeds as data frames, plus the hidden truth."""

    end: pd.Timestamp
    window_start: pd.Timestamp
    fake_trade: set
    master: pd.DataFrame  # one row per firm (its first version)
    settlement: pd.DataFrame
    inflow: pd.DataFrame  # money in from the firm's business: settlement credits without the owner's top-ups
    bills: pd.DataFrame  # latest version of each bill
    filings: pd.DataFrame
    ratings: pd.DataFrame
    court: pd.DataFrame
    defaults: pd.DataFrame  # uscc, default_date

    @classmethod
    def read(cls, landing: Path) -> DeliveredWorld:
        spec = read_world_spec(landing)
        model = build_world(spec.seed, SCALES[spec.scale].firms, spec.window, spec.risk_story)
        settlement = _table(landing, "settlement", "settlement_transactions")
        settlement["amount"] = settlement["amount"].astype(float)
        settlement["month"] = settlement["txn_ts"].str[:7]
        master = _table(landing, "enterprise", "enterprise_master")
        owners = set(master["legal_rep_name"])
        return cls(
            end=pd.Timestamp(spec.end_date),
            window_start=pd.Timestamp(spec.window_first + "-01"),
            fake_trade=set(model.firms.uscc[model.firms.fake_trade].tolist()),
            master=master.drop_duplicates("uscc", keep="first"),
            settlement=settlement,
            inflow=settlement[(settlement.direction == "C") & ~settlement.counterparty_name.isin(owners)],
            bills=_table(landing, "utilities", "utility_bills").drop_duplicates("bill_id", keep="last"),
            filings=_table(landing, "tax", "tax_filings"),
            ratings=_table(landing, "tax", "tax_credit_ratings").drop_duplicates(["uscc", "rating_year"]),
            court=_table(landing, "court", "court_records"),
            defaults=pd.read_csv(ground_truth_path(landing), parse_dates=["default_date"]),
        )

    def monthly_power(self) -> pd.Series:
        power = self.bills[self.bills.utility_type == "electricity"]
        power = power.assign(kwh=power.consumption.astype(float))
        return power.groupby(["uscc", "billing_month"]).kwh.sum().rename_axis(["uscc", "month"])


def rating_shares(world: DeliveredWorld) -> dict:
    """Shares of the latest published rating year (national 2021: A 8.3 %, B+M 82.6 %, C+D 9.1 %)."""
    latest = world.ratings[world.ratings.rating_year == world.ratings.rating_year.max()]
    share = latest.credit_rating.value_counts(normalize=True)
    return {
        "year": int(latest.rating_year.iloc[0]),
        "firms": len(latest),
        "A": share.get("A", 0.0),
        "B+M": share.get("B", 0.0) + share.get("M", 0.0),
        "C+D": share.get("C", 0.0) + share.get("D", 0.0),
    }


def default_rates(world: DeliveredWorld) -> dict:
    """Defaults per customer-year in the window, overall and for manufacturing, trade and construction (C, F, E)."""
    firms = world.master.merge(world.defaults, on="uscc", how="left")
    # pandas-stubs types `lower` as a scalar number, not a Timestamp; pandas clips datetimes (NaT stays NaT)
    start = pd.to_datetime(firms.customer_since).clip(lower=world.window_start)  # type: ignore[call-overload]
    stop = firms.default_date.fillna(world.end)
    firms["years"] = (stop - start).dt.days.clip(lower=0) / 365.25
    firms["defaulted"] = firms.default_date.notna()
    risky = firms.industry_code.str[0].isin(["C", "E", "F"])
    return {
        "defaults": int(firms.defaulted.sum()),
        "customer_years": float(firms.years.sum()),
        "yearly": firms.defaulted.sum() / firms.years.sum(),
        "yearly_CEF": firms[risky].defaulted.sum() / firms[risky].years.sum(),
        "yearly_other": firms[~risky].defaulted.sum() / firms[~risky].years.sum(),
    }


def inflow_power_correlation(world: DeliveredWorld) -> dict:
    """Per firm, correlation of monthly inflow and power use (firms with at least 12 months); medians by group."""
    inflow = world.inflow.groupby(["uscc", "month"]).amount.sum()
    joined = pd.concat([inflow.rename("inflow"), world.monthly_power().rename("kwh")], axis=1).dropna()
    months = joined.groupby(level="uscc").size()
    joined = joined[joined.index.get_level_values("uscc").isin(months[months >= 12].index)]
    correlation = joined.groupby(level="uscc").apply(lambda firm: firm.inflow.corr(firm.kwh)).dropna()
    fake = correlation.index.isin(world.fake_trade)
    return {
        "normal_firms": int((~fake).sum()),
        "fake_firms": int(fake.sum()),
        "normal_median": correlation[~fake].median(),
        "fake_median": correlation[fake].median(),
    }


def inflow_to_declared_sales(world: DeliveredWorld) -> dict:
    """12-month settlement inflow / declared sales, medians for normal and fake-trade firms."""
    last_month = (world.end - pd.DateOffset(months=1)).strftime("%Y-%m")
    first_month = (world.end - pd.DateOffset(months=12)).strftime("%Y-%m")
    year = world.filings[world.filings.tax_period.between(first_month, last_month)]
    declared = year.assign(sales=year.declared_sales.astype(float)).groupby("uscc").sales.sum()
    inflow = world.inflow[world.inflow.month.between(first_month, last_month)].groupby("uscc").amount.sum()
    ratio = (inflow / declared[declared > 0]).dropna()
    fake = ratio.index.isin(world.fake_trade)
    return {"normal_median": ratio[~fake].median(), "fake_median": ratio[fake].median()}


def distress_signals(world: DeliveredWorld) -> dict:
    """Each sign of distress among firms before their default against the same sign among firms that never do."""
    defaults = world.defaults.set_index("uscc").default_date
    defaulted = set(defaults.index)

    def before_default(frame: pd.DataFrame, day_column: str, days: int) -> pd.Series:
        when = pd.to_datetime(frame[day_column])
        due = frame.uscc.map(defaults)
        return (when < due) & (when >= due - pd.Timedelta(days=days))

    never = ~world.filings.uscc.isin(defaulted)
    signals = {
        "late_filing_share_6m_before": (
            world.filings[before_default(world.filings, "filing_date", 180)].is_late == "1"
        ).mean(),
        "late_filing_share_never_default": (world.filings[never].is_late == "1").mean(),
    }
    bills = world.bills
    signals["unpaid_bill_share_6m_before"] = bills[before_default(bills, "due_date", 180)].paid_date.eq("").mean()
    signals["unpaid_bill_share_never_default"] = bills[~bills.uscc.isin(defaulted)].paid_date.eq("").mean()

    court = world.court
    sued = court[court.party_role.isin(["defendant", "respondent"]) & court.party_uscc.notna()]
    sued = sued.rename(columns={"party_uscc": "uscc"})
    signals["sued_share_12m_before"] = sued[before_default(sued, "filing_date", 365)].uscc.nunique() / len(defaulted)
    signals["sued_share_never_default"] = sued[~sued.uscc.isin(defaulted)].uscc.nunique() / (
        len(world.master) - len(defaulted)
    )

    monthly = world.inflow.groupby(["uscc", "month"]).amount.sum().reset_index()
    monthly = monthly[monthly.uscc.isin(defaulted)]
    lead = monthly.uscc.map(defaults).dt.to_period("M") - pd.PeriodIndex(monthly.month, freq="M")
    monthly["lead"] = lead.apply(lambda offset: offset.n)
    near = monthly[monthly.lead.between(1, 3)].groupby("uscc").amount.mean()
    far = monthly[monthly.lead.between(7, 12)].groupby("uscc").amount.mean()
    signals["inflow_1_3m_before_vs_7_12m_median"] = (near / far).dropna().median()

    ratings = world.ratings
    published_before = pd.to_datetime(ratings.published_date) < ratings.uscc.map(defaults).fillna(pd.Timestamp.max)
    ranked = ratings[published_before].assign(points=lambda r: r.credit_rating.map(RATING_POINTS))
    ranked = ranked.sort_values(["uscc", "rating_year"])
    downgraded = ranked.groupby("uscc").points.apply(lambda points: bool((points.diff() < 0).any()))
    in_default = downgraded.index.isin(defaulted)
    signals["downgraded_share_before_default"] = downgraded[in_default].mean()
    signals["downgraded_share_never_default"] = downgraded[~in_default].mean()
    return signals


def spring_festival_power(world: DeliveredWorld) -> dict:
    """Total power use of each February against the mean of January and March."""
    power = world.monthly_power().groupby(level="month").sum()
    out = {}
    for february in (m for m in power.index if m.endswith("-02")):
        year = february[:4]
        if f"{year}-01" in power and f"{year}-03" in power:
            out[february] = power[february] / ((power[f"{year}-01"] + power[f"{year}-03"]) / 2)
    return out


def court_name_only_share(world: DeliveredWorld) -> float:
    """Of the court records about customers, the share that gives only a (differently spelled) name."""

    def normalise(name: str) -> str:
        return name.replace(" ", "").replace("(", "（").replace(")", "）").replace("有限责任公司", "有限公司")

    customers = {normalise(name) for name in world.master.enterprise_name}
    about_customers = world.court[world.court.party_name.map(normalise).isin(customers)]
    return about_customers.party_uscc.isna().mean()


def accounts_per_firm(world: DeliveredWorld) -> dict:
    accounts = world.settlement.groupby("uscc").account_no.nunique()
    return {
        "share_with_several": (accounts > 1).mean(),
        "holders_per_account_max": int(world.settlement.groupby("account_no").uscc.nunique().max()),
    }


def measure(landing: Path) -> dict:
    world = DeliveredWorld.read(landing)
    return {
        "firms": len(world.master),
        "settlement_rows": len(world.settlement),
        "ratings": rating_shares(world),
        "defaults": default_rates(world),
        "inflow_power_correlation": inflow_power_correlation(world),
        "inflow_to_declared_sales": inflow_to_declared_sales(world),
        "distress": distress_signals(world),
        "spring_festival_power": spring_festival_power(world),
        "court_name_only_share": court_name_only_share(world),
        "accounts": accounts_per_firm(world),
    }


def report(figures: dict) -> str:
    """The figures as indented text (shares and ratios as fractions)."""
    lines = []

    def emit(name: str, value, depth: int) -> None:
        pad = "  " * depth
        if isinstance(value, dict):
            lines.append(f"{pad}{name}:")
            for key, inner in value.items():
                emit(key, inner, depth + 1)
        elif isinstance(value, float):
            lines.append(f"{pad}{name}: {value:.3f}")
        else:
            lines.append(f"{pad}{name}: {value}")

    for key, value in figures.items():
        emit(key, value, 0)
    return "\n".join(lines)
