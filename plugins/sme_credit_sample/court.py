"""Court feed: civil and enforcement cases, dishonest-debtor list entries and consumption-restriction orders.

One record per (case, party). A record is delivered in the month it is filed (status open) and delivered again
with the same record_id in the month it closes (status closed, closing_date set). About 30 % of the records about
customers name the firm only by a slightly different spelling, without USCC; the other party of a case is
usually a firm outside the bank, sometimes with its own USCC.

Cases are few (tens to thousands a month), so they are built one by one: easier to read than vectorised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import overload

import numpy as np

from sme_credit_sample import landing, vocab
from sme_credit_sample.calendar import days_in_month, month_start, year_of
from sme_credit_sample.economy import Activity, is_customer
from sme_credit_sample.firms import World, make_uscc
from sme_credit_sample.randomness import stream

NAME_ONLY_SHARE = 0.3  # records about customers that carry no USCC, only a (varied) name
OPPONENT_RECORD_SHARE = 0.5  # cases where the other party also gets a record
OPPONENT_USCC_SHARE = 0.4  # of those outside parties, the share the court gives with a USCC
DISHONEST_LISTING_MONTHS = 24  # a dishonest-debtor entry lasts two years


@dataclass(frozen=True)
class Record:
    record_id: str
    record_type: str  # case | dishonest_debtor | consumption_restriction
    case_number: str
    court_name: str
    case_type: str  # civil | enforcement
    cause: str
    party_name: str
    party_uscc: str | None
    party_role: str
    amount_cents: int
    filing_date: dt.date
    file_month: int
    close_month: int | None  # None: stays open beyond the horizon
    closing_date: dt.date | None


class Courts:
    def __init__(self, world: World) -> None:
        self.world = world
        self.scheduled: list[Record] = []  # filed or to be filed, not yet closed
        self._next_record = 1
        self._case_counters: dict[tuple[str, int, str], int] = {}
        self._known_usccs = set(world.firms.uscc.tolist())
        self._section = world.firms.section.tolist()

    def records_delivered_in(self, month: int, now: Activity) -> landing.Columns:
        rng = stream(self.world.seed, "court", month)
        self._file_new_cases(rng, month, now)
        filed = [r for r in self.scheduled if r.file_month == month]
        closed = [r for r in self.scheduled if r.close_month == month]
        self.scheduled = [
            r for r in self.scheduled if r.file_month > month or (r.close_month is not None and r.close_month > month)
        ]
        delivered = [(r, False) for r in filed] + [(r, True) for r in closed]  # closing is always a later month
        delivered.sort(key=lambda item: (item[0].filing_date, item[0].record_id, item[1]))
        return _columns(delivered)

    # --- which firms go to court this month ----------------------------------------------------------------

    def _file_new_cases(self, rng: np.random.Generator, month: int, now: Activity) -> None:
        world = self.world
        firms = world.firms
        eligible = is_customer(world, month) & now.operating
        distress, since = now.distress, now.months_since_default
        recently_defaulted = (since >= 0) & (since < 12)
        risk = np.array([vocab.SECTION_RISK[s] for s in self._section])
        n = len(firms)
        p_defendant = 0.0012 * risk + 0.06 * distress**2 + 0.08 * recently_defaulted
        p_plaintiff = np.full(n, 0.002)
        p_respondent = 0.0003 + 0.02 * distress**2 + 0.15 * ((since >= 0) & (since < 9))
        p_applicant = np.full(n, 0.0006)
        for probability, handler in (
            (p_defendant, self._civil_defendant),
            (p_plaintiff, self._civil_plaintiff),
            (p_respondent, self._enforcement_respondent),
            (p_applicant, self._enforcement_applicant),
        ):
            hit = np.flatnonzero(eligible & (rng.random(n) < probability))
            for firm in hit.tolist():
                handler(rng, month, firm, now)

    def _civil_defendant(self, rng, month: int, firm: int, now: Activity) -> None:
        troubled = now.distress[firm] > 0.3 or now.months_since_default[firm] >= 0
        cause = _pick(rng, vocab.DEBT_CAUSES if troubled else self._causes(firm))
        amount = self._amount(rng, firm, now, 2.0 if troubled else 1.0)
        court = self._home_court(firm)
        case = self._case(rng, month, court, "民初", civil=True, close_after=2 + int(rng.geometric(0.25)))
        self._add_parties(rng, case, cause, amount, firm, "defendant", "plaintiff")

    def _civil_plaintiff(self, rng, month: int, firm: int, now: Activity) -> None:
        court = vocab.REGIONS[int(rng.integers(len(vocab.REGIONS)))]  # sued where the defendant is
        case = self._case(rng, month, court, "民初", civil=True, close_after=2 + int(rng.geometric(0.25)))
        amount = self._amount(rng, firm, now, 0.7)
        self._add_parties(rng, case, _pick(rng, self._causes(firm)), amount, firm, "plaintiff", "defendant")

    def _enforcement_respondent(self, rng, month: int, firm: int, now: Activity) -> None:
        """An unpaid judgment: for a failing firm it stays open and brings restriction orders and listings."""
        failing = now.months_since_default[firm] >= 0 or now.distress[firm] > 0.5
        if failing:
            close_after = int(rng.integers(6, 13)) if rng.random() < 0.25 else None
        else:
            close_after = 1 + int(rng.geometric(0.4))
        cause = _pick(rng, vocab.DEBT_CAUSES)
        amount = self._amount(rng, firm, now, 2.0)
        case = self._case(rng, month, self._home_court(firm), "执", civil=False, close_after=close_after)
        self._add_parties(rng, case, cause, amount, firm, "respondent", "applicant")
        if rng.random() < (0.65 if failing else 0.1):
            self._list_entry(
                rng, case, "consumption_restriction", firm, cause, amount, delay=1, close_month=case.close_month
            )
        if rng.random() < (0.35 if failing else 0.02):
            delay = int(rng.integers(2, 5))
            self._list_entry(
                rng,
                case,
                "dishonest_debtor",
                firm,
                cause,
                amount,
                delay=delay,
                close_month=case.close_month or month + delay + DISHONEST_LISTING_MONTHS,
            )

    def _enforcement_applicant(self, rng, month: int, firm: int, now: Activity) -> None:
        case = self._case(
            rng,
            month,
            vocab.REGIONS[int(rng.integers(len(vocab.REGIONS)))],
            "执",
            civil=False,
            close_after=1 + int(rng.geometric(0.3)),
        )
        amount = self._amount(rng, firm, now, 0.5)
        self._add_parties(rng, case, _pick(rng, self._causes(firm)), amount, firm, "applicant", "respondent")

    # --- building records ---------------------------------------------------------------------------------

    def _case(self, rng, month: int, court: vocab.Region, kind: str, *, civil: bool, close_after: int | None):
        """A case skeleton (as a Record without party) with its number, court, dates and closing month."""
        filing = _day_in(rng, month)
        year = year_of(month)
        key = (court.court_code, year, kind)
        start = int(rng.integers(1000, 20000)) if kind == "民初" else int(rng.integers(100, 5000))
        number = self._case_counters.get(key, start) + int(rng.integers(1, 40))
        self._case_counters[key] = number
        close_month = self._within_window(month + close_after if close_after is not None else None)
        return Record(
            record_id="",
            record_type="case",
            case_number=f"({year}){court.court_code}{kind}{number}号",
            court_name=court.court,
            case_type="civil" if civil else "enforcement",
            cause="",
            party_name="",
            party_uscc=None,
            party_role="",
            amount_cents=0,
            filing_date=filing,
            file_month=month,
            close_month=close_month,
            closing_date=_day_in(rng, close_month),
        )

    def _add_parties(self, rng, case: Record, cause: str, amount: int, firm: int, role: str, other_role: str):
        name, uscc = self._customer_party(rng, firm)
        self._schedule(
            replace(case, cause=cause, amount_cents=amount, party_name=name, party_uscc=uscc, party_role=role)
        )
        if rng.random() < OPPONENT_RECORD_SHARE:
            name, uscc = self._outside_party(rng)
            self._schedule(
                replace(case, cause=cause, amount_cents=amount, party_name=name, party_uscc=uscc, party_role=other_role)
            )

    def _list_entry(
        self,
        rng,
        case: Record,
        record_type: str,
        firm: int,
        cause: str,
        amount: int,
        *,
        delay: int,
        close_month: int | None,
    ) -> None:
        """A dishonest-debtor or consumption-restriction entry under an enforcement case, published later."""
        month = case.file_month + delay
        if self._within_window(month) is None:
            return
        close_month = self._within_window(close_month) if close_month and close_month > month else None
        name, uscc = self._customer_party(rng, firm)
        self._schedule(
            replace(
                case,
                record_type=record_type,
                cause=cause,
                amount_cents=amount,
                party_name=name,
                party_uscc=uscc,
                party_role="respondent",
                filing_date=_day_in(rng, month),
                file_month=month,
                close_month=close_month,
                closing_date=_day_in(rng, close_month) if close_month else None,
            )
        )

    def _schedule(self, record: Record) -> None:
        self.scheduled.append(replace(record, record_id=f"CR{self._next_record:09d}"))
        self._next_record += 1

    def _customer_party(self, rng, firm: int) -> tuple[str, str | None]:
        name = self.world.firms.name[firm]
        if rng.random() < NAME_ONLY_SHARE:
            return vary_name(rng, name), None
        return name, self.world.firms.uscc[firm]

    def _outside_party(self, rng) -> tuple[str, str | None]:
        pool = self.world.pool
        name = pool.name[int(rng.integers(len(pool.name)))]
        if rng.random() >= OPPONENT_USCC_SHARE:
            return name, None
        while True:  # a valid USCC that is not one of the bank's customers
            region = vocab.REGIONS[int(rng.integers(len(vocab.REGIONS)))].code
            body = "MA" + "".join(rng.choice(list("0123456789ABCDEFGHJKLMNPQRTUWXY"), 6).tolist())
            code = make_uscc("1", region, body)
            if code not in self._known_usccs:
                return name, code

    def _home_court(self, firm: int) -> vocab.Region:
        return vocab.REGIONS[int(self.world.firms.region[firm])]

    def _causes(self, firm: int) -> tuple[str, ...]:
        return vocab.SECTION_CIVIL_CAUSES.get(self._section[firm], ()) + vocab.CIVIL_CAUSES

    def _amount(self, rng, firm: int, now: Activity, scale: float) -> int:
        """Cents: around a fraction of a month's sales, at least 5,000 yuan."""
        base = max(float(now.expected_sales[firm]), 20_000.0)
        return int(round(max(5_000.0, base * scale * rng.lognormal(-0.7, 0.8)) * 100))

    def _within_window(self, month: int | None) -> int | None:
        return month if month is not None and month <= self.world.window.horizon else None


def vary_name(rng: np.random.Generator, name: str) -> str:
    """How a court spells a firm: half-width brackets, 有限公司 vs 有限责任公司, a stray space. Always differs."""
    variants = []
    if "（" in name:
        variants.append(lambda s: s.replace("（", "(").replace("）", ")"))
    if name.endswith("有限责任公司"):
        variants.append(lambda s: s[: -len("有限责任公司")] + "有限公司")
    elif name.endswith("有限公司"):
        variants.append(lambda s: s[: -len("有限公司")] + "有限责任公司")
    variants.append(_insert_space)
    chosen = rng.permutation(len(variants))[: 1 + int(rng.random() < 0.3)]
    for index in sorted(chosen.tolist()):
        name = variants[index](name)
    return name


def _insert_space(name: str) -> str:
    """A space before the legal form (有限...公司), or for a shop after its district or city."""
    position = name.find("有限", 2)
    if position < 0:
        position = max(name.find("区", 2), name.find("市", 2)) + 1 or 2
    return name[:position] + " " + name[position:]


def _columns(delivered: list[tuple[Record, bool]]) -> landing.Columns:
    def column(values) -> np.ndarray:
        out = np.empty(len(delivered), dtype=object)
        out[:] = values
        return out

    records = [r for r, _ in delivered]
    closed = [c for _, c in delivered]
    return {
        "record_id": column([r.record_id for r in records]),
        "record_type": column([r.record_type for r in records]),
        "case_number": column([r.case_number for r in records]),
        "court_name": column([r.court_name for r in records]),
        "case_type": column([r.case_type for r in records]),
        "cause": column([r.cause for r in records]),
        "party_name": column([r.party_name for r in records]),
        "party_uscc": column([r.party_uscc for r in records]),
        "party_role": column([r.party_role for r in records]),
        "amount": column(landing.money(np.array([r.amount_cents for r in records], dtype=np.int64)).tolist()),
        "filing_date": column([r.filing_date.isoformat() for r in records]),
        "closing_date": column([r.closing_date.isoformat() if c and r.closing_date else None for r, c in delivered]),
        "status": column(["closed" if c else "open" for c in closed]),
    }


@overload
def _day_in(rng: np.random.Generator, month: int) -> dt.date: ...
@overload
def _day_in(rng: np.random.Generator, month: int | None) -> dt.date | None: ...
def _day_in(rng: np.random.Generator, month: int | None) -> dt.date | None:
    if month is None:
        return None
    return (month_start(month) + np.timedelta64(int(rng.integers(days_in_month(month))), "D")).astype(dt.date)


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]
