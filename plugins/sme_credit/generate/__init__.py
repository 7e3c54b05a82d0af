"""Synthetic SME world: landing files for the five feeds, written to the contract in `sme_credit.feeds`.

A small latent model makes the signals mean something: each firm has a health, a size and a growth rate;
its sales drive settlement inflows, declared tax and power use together; Spring Festival dips sales; risky
industries and weak health raise the chance of default, and distress shows in the months before it (falling
sales, late tax, unpaid bills, lawsuits). A few fake-trade firms inflate inflows without matching tax or power.
Which firms default is written to `ground_truth/defaults.csv` beside the landing area; the pipeline never
reads it. Everything comes from one seeded generator, so a seed always gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from sme_credit import uscc as codes
from sme_credit.feeds import FEEDS, RawTable, delivery_dir, table_by_name

SCALES = {"tiny": 120, "demo": 3000, "large": 100_000}

REGIONS = [  # real GB/T 2260 district codes, with the city name used in firm names and case numbers
    ("310115", "上海", "沪", "上海市浦东新区人民法院"), ("310104", "上海", "沪", "上海市徐汇区人民法院"),
    ("330106", "杭州", "浙", "杭州市西湖区人民法院"), ("330110", "杭州", "浙", "杭州市余杭区人民法院"),
    ("440305", "深圳", "粤", "深圳市南山区人民法院"), ("440306", "深圳", "粤", "深圳市宝安区人民法院"),
    ("320506", "苏州", "苏", "苏州市吴中区人民法院"), ("320583", "昆山", "苏", "昆山市人民法院"),
    ("510107", "成都", "川", "成都市武侯区人民法院"), ("420111", "武汉", "鄂", "武汉市洪山区人民法院"),
    ("370202", "青岛", "鲁", "青岛市市南区人民法院"), ("350203", "厦门", "闽", "厦门市思明区人民法院"),
]
# (section, divisions, weight, business word, kWh per 10k yuan of sales, yearly default-risk shift)
INDUSTRIES = [
    ("C", range(13, 44), 0.24, "机械制造", 900, 0.45), ("F", range(51, 53), 0.22, "贸易", 60, 0.40),
    ("E", range(47, 51), 0.08, "建筑工程", 150, 0.45), ("G", range(53, 61), 0.06, "物流", 250, 0.10),
    ("H", range(61, 63), 0.08, "餐饮管理", 400, 0.20), ("I", range(63, 66), 0.10, "信息科技", 120, -0.30),
    ("L", range(71, 73), 0.08, "商务服务", 80, 0.25), ("M", range(73, 76), 0.06, "技术服务", 100, -0.20),
    ("N", range(76, 80), 0.03, "环保科技", 300, -0.30), ("Q", range(84, 86), 0.03, "健康管理", 200, -0.35),
    ("D", range(44, 47), 0.02, "能源", 1500, -0.40),
]
TRADE_NAMES = list("华盛鑫源泰达恒通瑞丰宏远金辉嘉禾永信聚德安康博创中天新元海润兴隆益民宝利东方明德锦程")
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂")
CAUSES = ["买卖合同纠纷", "借款合同纠纷", "劳动争议", "租赁合同纠纷", "服务合同纠纷", "建设工程施工合同纠纷"]
CHANNELS = np.array(["COUNTER", "ONLINE", "MOBILE", "POS", "BATCH"])


@dataclass
class GenerationSummary:
    firms: int
    months: int
    delivery_dates: list[dt.date] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    defaults: int = 0
    elapsed: float = 0.0


class LandingNotEmpty(RuntimeError):
    pass


def _month_start(year: int, month: int, offset: int) -> dt.date:
    index = year * 12 + month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


def _delivery_of(month_start: dt.date) -> dt.date:
    return _month_start(month_start.year, month_start.month, 1).replace(day=3)


def _money(values: np.ndarray) -> list[str]:
    return [f"{v:.2f}" for v in values]


class _Writer:
    """Writes one delivery's files and counts rows."""

    def __init__(self, landing: Path, summary: GenerationSummary):
        self.landing, self.summary = landing, summary

    def csv(self, table: RawTable, delivery: dt.date, columns: dict[str, list]) -> None:
        folder = delivery_dir(self.landing, table.feed, delivery)
        folder.mkdir(parents=True, exist_ok=True)
        rows = list(zip(*(columns[c] for c in table.columns))) if columns else []
        with (folder / table.file_name(delivery)).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(table.columns)
            writer.writerows(rows)
        self._count(table, delivery, len(rows))

    def jsonl(self, table: RawTable, delivery: dt.date, records: list[dict]) -> None:
        folder = delivery_dir(self.landing, table.feed, delivery)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / table.file_name(delivery)).open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps({c: record.get(c) for c in table.columns}, ensure_ascii=False) + "\n")
        self._count(table, delivery, len(records))

    def _count(self, table: RawTable, delivery: dt.date, rows: int) -> None:
        self.summary.rows[table.name] = self.summary.rows.get(table.name, 0) + rows
        self.summary.files += 1
        if delivery not in self.summary.delivery_dates:
            self.summary.delivery_dates.append(delivery)


@dataclass
class _Firms:
    uscc: np.ndarray
    name: np.ndarray
    court_name: np.ndarray
    court_prefix: np.ndarray
    industry: np.ndarray
    section: np.ndarray
    region: np.ndarray
    established: list[dt.date]
    customer_month: np.ndarray  # index into the window; 0 = customer from the start
    base_sales: np.ndarray  # monthly yuan
    growth: np.ndarray  # monthly
    kwh_per_10k: np.ndarray
    fake_trade: np.ndarray
    health: np.ndarray
    default_month: np.ndarray  # index into the window, -1 = no default
    accounts: list[list[str]]
    balances: list[list[float]]


def _draw_firms(rng: np.random.Generator, n: int, months: int, first_month: dt.date) -> _Firms:
    weights = np.array([i[2] for i in INDUSTRIES]) / sum(i[2] for i in INDUSTRIES)
    industry_index = rng.choice(len(INDUSTRIES), size=n, p=weights)
    region_index = rng.integers(0, len(REGIONS), size=n)
    health = rng.normal(0, 1, n)
    risk_shift = np.array([INDUSTRIES[i][5] for i in industry_index])
    age_years = np.where(rng.random(n) < 0.15, rng.uniform(0.3, 2.0, n), rng.uniform(2.0, 20.0, n))
    young = age_years < 2
    # Yearly default probability ~3 % on average; weaker, riskier and younger firms default more.
    yearly = 1 / (1 + np.exp(-(-3.9 - 1.1 * health + risk_shift + 0.4 * young)))
    monthly = 1 - (1 - yearly) ** (1 / 12)
    default_month = np.full(n, -1)
    draws = rng.random((n, months))
    for m in range(6, months):  # distress needs a few months of history to show before the default
        hits = (default_month < 0) & (draws[:, m] < monthly)
        default_month[hits] = m
    customer_month = np.where(rng.random(n) < 0.8, 0, rng.integers(1, max(2, months - 3), n))
    fake_trade = rng.random(n) < 0.03
    uscc, names, court_names, prefixes, regions, sections, industries, established = [], [], [], [], [], [], [], []
    accounts, balances = [], []
    seen: set[str] = set()
    end = _month_start(first_month.year, first_month.month, months)
    for i in range(n):
        code, city, prefix, court = REGIONS[region_index[i]]
        section, divisions, _, word, _, _ = INDUSTRIES[industry_index[i]]
        division = int(rng.choice(list(divisions)))
        individual = rng.random() < 0.1
        org8 = "".join(rng.choice(list("0123456789ABCDEFGHJKLMNPQRTUWXY"), 8))
        first17 = f"9{'2' if individual else '1'}{code}{org8}{codes.org_code_check_character(org8)}"
        uscc.append(first17 + codes.check_character(first17))
        while True:
            trade = "".join(rng.choice(TRADE_NAMES, 2))
            name = f"{city}{trade}{word}" + ("经营部" if individual else "有限公司")
            if name not in seen:
                seen.add(name)
                break
        names.append(name)
        court_names.append(_court_variant(rng, name))
        prefixes.append(f"{prefix}{code[2:]}")
        regions.append(code)
        sections.append(section)
        industries.append(f"{section}{division:02d}")
        established.append(end - dt.timedelta(days=int(age_years[i] * 365)))
        n_accounts = 1 + int(rng.random() < 0.25) + int(rng.random() < 0.05)
        accounts.append([f"6222{rng.integers(10**14, 10**15)}" for _ in range(n_accounts)])
        balances.append([float(rng.uniform(20_000, 400_000)) for _ in range(n_accounts)])
    return _Firms(
        uscc=np.array(uscc), name=np.array(names), court_name=np.array(court_names), court_prefix=np.array(prefixes),
        industry=np.array(industries), section=np.array(sections), region=np.array(regions),
        established=established, customer_month=customer_month,
        base_sales=np.exp(rng.normal(12.3, 0.9, n)) * np.where(np.array(sections) == "F", 1.5, 1.0),
        growth=rng.normal(0.008, 0.012, n) + 0.004 * health,
        kwh_per_10k=np.array([INDUSTRIES[i][4] for i in industry_index]) * rng.uniform(0.8, 1.2, n),
        fake_trade=fake_trade, health=health, default_month=default_month, accounts=accounts, balances=balances,
    )


def _court_variant(rng: np.random.Generator, name: str) -> str:
    """Courts often spell a party's name slightly differently from the registry."""
    roll = rng.random()
    if roll < 0.3:
        return name.replace("有限公司", "有限责任公司")
    if roll < 0.5:
        return name[:2] + " " + name[2:]
    if roll < 0.6:
        return name[:2] + "（" + name[:2] + "）" + name[2:]
    return name


def _distress(firms: _Firms, m: int) -> np.ndarray:
    """0 when healthy, rising to 1 in the six months before a default, 1 after it."""
    months_to_default = np.where(firms.default_month >= 0, firms.default_month - m, 99)
    return np.clip(1 - months_to_default / 6, 0, 1)


def _spring_festival(month: dt.date) -> float:
    return {1: 0.85, 2: 0.7, 3: 1.05}.get(month.month, 1.0)


def generate_world(landing: Path, *, scale: str = "demo", seed: int = 42, end_month: str = "2026-10",
                   months: int = 24, replace: bool = False,
                   progress: Callable[[str], None] | None = print) -> GenerationSummary:
    """Write `months` monthly deliveries (the 3rd of each following month) ending with `end_month`."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    started = time.monotonic()
    landing = Path(landing)
    truth = landing.parent / "ground_truth" / "defaults.csv"
    existing = [landing / feed for feed in FEEDS if (landing / feed).exists()]
    if existing and not replace:
        raise LandingNotEmpty(f"{landing} already holds sample files; pass replace=True (--replace) to overwrite")
    for folder in existing:
        shutil.rmtree(folder)
    say = progress or (lambda _: None)
    rng = np.random.default_rng(seed)
    end_year, end = (int(part) for part in end_month.split("-"))
    first = _month_start(end_year, end, -(months - 1))
    firms = _draw_firms(rng, SCALES[scale], months, first)
    summary = GenerationSummary(firms=len(firms.uscc), months=months)
    writer = _Writer(landing, summary)
    state = {"txn": 0, "bill": 0, "record": 0, "open_cases": []}

    for m in range(months):
        month = _month_start(first.year, first.month, m)
        delivery = _delivery_of(month)
        active = (firms.customer_month <= m)
        _write_master(writer, firms, m, month, delivery, rng)
        sales = _monthly_sales(firms, m, month, rng)
        _write_tax(writer, firms, m, month, delivery, sales, active, rng)
        _write_utilities(writer, firms, m, month, delivery, sales, active, rng, state)
        _write_settlement(writer, firms, m, month, delivery, sales, active, rng, state)
        _write_court(writer, firms, m, month, delivery, active, rng, state)
        if month.month == 4 and m > 0:
            _write_ratings(writer, firms, month.year - 1, _delivery_of(month), m, rng)
        say(f"  generated {month:%Y-%m} (delivery {delivery}): {int(active.sum()):,} customers")

    truth.parent.mkdir(parents=True, exist_ok=True)
    with truth.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["uscc", "default_date"])
        for i in np.flatnonzero(firms.default_month >= 0):
            day = _month_start(first.year, first.month, int(firms.default_month[i])).replace(day=15)
            out.writerow([firms.uscc[i], day.isoformat()])
            summary.defaults += 1
    summary.delivery_dates.sort()
    summary.elapsed = round(time.monotonic() - started, 2)
    return summary


def _monthly_sales(firms: _Firms, m: int, month: dt.date, rng) -> np.ndarray:
    trend = (1 + firms.growth) ** m
    noise = rng.lognormal(0, 0.15, len(firms.uscc))
    return firms.base_sales * trend * noise * _spring_festival(month) * (1 - 0.85 * _distress(firms, m))


def _write_master(writer, firms: _Firms, m, month, delivery, rng) -> None:
    new = np.flatnonzero(firms.customer_month == m)
    table = table_by_name("enterprise_master")
    rows = {c: [] for c in table.columns}
    for i in new:
        birth = dt.date(int(rng.integers(1960, 1995)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        first17 = f"{firms.region[i]}{birth:%Y%m%d}{int(rng.integers(100, 999))}"
        joined = month + dt.timedelta(days=int(rng.integers(0, 27))) if m else month
        rows["uscc"].append(firms.uscc[i])
        rows["enterprise_name"].append(firms.name[i])
        rows["industry_code"].append(firms.industry[i])
        rows["region_code"].append(firms.region[i])
        rows["established_date"].append(min(firms.established[i], joined).isoformat())
        rows["registered_capital"].append(f"{round(firms.base_sales[i] * rng.uniform(1, 8), -4):.2f}")
        rows["legal_rep_name"].append(rng.choice(SURNAMES) + "".join(rng.choice(GIVEN, int(rng.integers(1, 3)))))
        rows["legal_rep_id_number"].append(first17 + codes.resident_id_check_digit(first17))
        rows["legal_rep_phone"].append(f"1{rng.choice(['3', '5', '8'])}{rng.integers(10**8, 10**9)}")
        rows["customer_since"].append(joined.isoformat())
        rows["updated_at"].append(f"{delivery - dt.timedelta(days=2)} 0{int(rng.integers(1, 9))}:00:00")
    writer.csv(table, delivery, rows)


def _write_tax(writer, firms: _Firms, m, month, delivery, sales, active, rng) -> None:
    distress = _distress(firms, m)
    declared = np.where(firms.fake_trade, sales * 0.5, sales * rng.uniform(0.85, 1.0, len(sales)))
    zero = rng.random(len(sales)) < 0.02 + 0.3 * (distress > 0.8)
    declared = np.where(zero, 0.0, declared)
    late = rng.random(len(sales)) < 0.03 + 0.5 * distress
    deadline = _month_start(month.year, month.month, 1).replace(day=15)
    idx = np.flatnonzero(active)
    table = table_by_name("tax_filings")
    filing = [(deadline + dt.timedelta(days=int(rng.integers(10, 40)) if late[i] else -int(rng.integers(0, 10))))
              for i in idx]
    writer.csv(table, delivery, {
        "uscc": list(firms.uscc[idx]), "tax_period": [f"{month:%Y-%m}"] * len(idx),
        "declared_sales": _money(declared[idx]), "vat_paid": _money(declared[idx] * 0.03),
        "income_tax_paid": _money(declared[idx] * 0.06 * 0.25), "filing_date": [d.isoformat() for d in filing],
        "is_late": [str(int(late[i])) for i in idx], "is_zero_declaration": [str(int(zero[i])) for i in idx],
    })


def _write_utilities(writer, firms: _Firms, m, month, delivery, sales, active, rng, state) -> None:
    distress = _distress(firms, m)
    power_sales = np.where(firms.fake_trade, firms.base_sales * 0.3, sales)
    kwh = power_sales / 10_000 * firms.kwh_per_10k * rng.uniform(0.9, 1.1, len(sales))
    water = kwh / 40 * rng.uniform(0.5, 1.5, len(sales))
    unpaid = rng.random(len(sales)) < 0.005 + 0.6 * distress
    paid_late = rng.random(len(sales)) < 0.05
    due = _month_start(month.year, month.month, 1).replace(day=20)
    rows = {c: [] for c in table_by_name("utility_bills").columns}
    for i in np.flatnonzero(active):
        for kind, unit, amount, price in (("electricity", "kWh", kwh[i], 0.8), ("water", "m3", water[i], 5.0)):
            state["bill"] += 1
            paid = None if unpaid[i] else due + dt.timedelta(days=int(rng.integers(5, 25)) if paid_late[i] else -3)
            rows["bill_id"].append(f"B{state['bill']:09d}")
            rows["uscc"].append(firms.uscc[i])
            rows["meter_id"].append(f"{'E' if kind == 'electricity' else 'W'}{firms.uscc[i][8:16]}")
            rows["utility_type"].append(kind)
            rows["billing_month"].append(f"{month:%Y-%m}")
            rows["consumption"].append(f"{amount:.1f}")
            rows["unit"].append(unit)
            rows["amount"].append(f"{amount * price:.2f}")
            rows["due_date"].append(due.isoformat())
            rows["paid_date"].append(paid.isoformat() if paid else "")
    writer.csv(table_by_name("utility_bills"), delivery, rows)


def _write_settlement(writer, firms: _Firms, m, month, delivery, sales, active, rng, state) -> None:
    inflow_total = np.where(firms.fake_trade, sales * 2.5, sales)
    days = (_month_start(month.year, month.month, 1) - month).days
    rows = {c: [] for c in table_by_name("settlement_transactions").columns}
    for i in np.flatnonzero(active):
        n_in, n_out = 4 + rng.poisson(4), 4 + rng.poisson(4)
        amounts = np.concatenate([inflow_total[i] * rng.dirichlet(np.ones(n_in)),
                                  inflow_total[i] * rng.uniform(0.9, 1.02) * rng.dirichlet(np.ones(n_out))])
        directions = np.array(["C"] * n_in + ["D"] * n_out)
        seconds = np.sort(rng.integers(8 * 3600, days * 86400 - 3600, n_in + n_out))
        order = rng.permutation(n_in + n_out)
        amounts, directions = amounts[order], directions[order]
        partners = [f"{REGIONS[int(k)][1]}{''.join(rng.choice(TRADE_NAMES, 2))}贸易有限公司"
                    for k in rng.integers(0, len(REGIONS), 3)]
        for amount, direction, second in zip(amounts, directions, seconds):
            account = int(rng.integers(0, len(firms.accounts[i])))
            signed = amount if direction == "C" else -min(amount, firms.balances[i][account])
            if signed == 0:
                continue
            firms.balances[i][account] = round(firms.balances[i][account] + signed, 2)
            state["txn"] += 1
            when = dt.datetime.combine(month, dt.time()) + dt.timedelta(seconds=int(second))
            rows["txn_id"].append(f"T{state['txn']:011d}")
            rows["account_no"].append(firms.accounts[i][account])
            rows["uscc"].append(firms.uscc[i])
            rows["txn_ts"].append(when.strftime("%Y-%m-%d %H:%M:%S"))
            rows["direction"].append(direction)
            rows["amount"].append(f"{abs(signed):.2f}")
            rows["counterparty_name"].append(partners[int(rng.integers(0, 3))])
            rows["counterparty_account"].append(f"6228{rng.integers(10**14, 10**15)}")
            rows["channel"].append(str(rng.choice(CHANNELS)))
            rows["balance_after"].append(f"{firms.balances[i][account]:.2f}")
    writer.csv(table_by_name("settlement_transactions"), delivery, rows)


def _write_court(writer, firms: _Firms, m, month, delivery, active, rng, state) -> None:
    distress = _distress(firms, m)
    records = []

    def record(i, record_type, case_type, role, amount, status="open", closing=None):
        state["record"] += 1
        named_only = rng.random() < 0.3
        kind = "执" if case_type == "enforcement" else "民初"
        return {
            "record_id": f"CR{state['record']:08d}", "record_type": record_type,
            "case_number": f"({month.year}){firms.court_prefix[i]}{kind}{int(rng.integers(100, 30000))}号",
            "court_name": REGIONS[[r[0] for r in REGIONS].index(firms.region[i])][3],
            "case_type": case_type, "cause": str(rng.choice(CAUSES)),
            "party_name": firms.court_name[i] if named_only else firms.name[i],
            "party_uscc": None if named_only else str(firms.uscc[i]), "party_role": role,
            "amount": round(float(amount), 2),
            "filing_date": (month + dt.timedelta(days=int(rng.integers(0, 27)))).isoformat(),
            "closing_date": closing, "status": status,
        }

    sued = active & (rng.random(len(distress)) < 0.002 + 0.25 * distress)
    for i in np.flatnonzero(sued):
        entry = record(i, "case", "civil", "defendant", firms.base_sales[i] * rng.uniform(0.2, 2))
        records.append(entry)
        state["open_cases"].append((entry, int(rng.integers(2, 10)) + m))
    for i in np.flatnonzero(active & (rng.random(len(distress)) < 0.003)):
        records.append(record(i, "case", "civil", "plaintiff", firms.base_sales[i] * rng.uniform(0.1, 1)))
    defaulted_long = active & (firms.default_month >= 0) & (m - firms.default_month == 3)
    for i in np.flatnonzero(defaulted_long):
        records.append(record(i, "case", "enforcement", "respondent", firms.base_sales[i] * rng.uniform(0.5, 3)))
        if rng.random() < 0.5:
            records.append(record(i, "dishonest_debtor", "enforcement", "respondent", firms.base_sales[i]))
        if rng.random() < 0.6:
            records.append(record(i, "consumption_restriction", "enforcement", "respondent", firms.base_sales[i]))
    still_open = []
    for entry, closes in state["open_cases"]:
        if closes == m:  # the court re-delivers the record, now closed
            closed = dict(entry, status="closed", closing_date=(month + dt.timedelta(days=10)).isoformat())
            records.append(closed)
        else:
            still_open.append((entry, closes))
    state["open_cases"] = still_open
    writer.jsonl(table_by_name("court_records"), delivery, records)


def _write_ratings(writer, firms: _Firms, year: int, delivery: dt.date, m: int, rng) -> None:
    """Yearly tax credit ratings: about A 8 %, B+M 83 %, C+D 9 %, driven by health and distress."""
    active = np.flatnonzero(firms.customer_month <= m)
    signal = firms.health[active] - 2.5 * _distress(firms, m)[active] + rng.normal(0, 0.4, len(active))
    rank = signal.argsort().argsort() / max(1, len(active) - 1)
    young = np.array([(dt.date(year, 12, 31) - firms.established[i]).days < 365 for i in active])
    grade = np.where(rank >= 0.92, "A", np.where(rank >= 0.09, "B", np.where(rank >= 0.02, "C", "D")))
    grade = np.where(young & (grade == "B"), "M", grade)
    published = dt.date(year + 1, 4, 20)
    writer.csv(table_by_name("tax_credit_ratings"), delivery, {
        "uscc": list(firms.uscc[active]), "rating_year": [str(year)] * len(active),
        "credit_rating": list(grade), "published_date": [published.isoformat()] * len(active),
    })
