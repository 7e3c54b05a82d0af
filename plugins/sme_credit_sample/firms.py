"""The population: firms (registry facts and hidden economics), their accounts, meters and trading partners.

Everything here is drawn once, before the first month; `economy.py` turns it into monthly activity.
Arrays are indexed by firm number 0..n-1 (accounts and meters have their own arrays pointing back to a firm).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sme_credit.contract import uscc as uscc_codes
from sme_credit_sample import vocab
from sme_credit_sample.calendar import Window, month_end, month_start, months_of
from sme_credit_sample.randomness import digit_strings, replace_all, stream, weighted_choice, with_luhn

NO_DEFAULT = 10**6  # default_month of firms that do not default before the window's horizon

INDIVIDUAL_SHARE = 0.12  # individual businesses (个体工商户, USCC type 2) among the bank's SME customers
YOUNG_SHARE = 0.15  # firms under two years old at the end of the window
JOINING_SHARE = 0.2  # firms that open their settlement account during the window
FAKE_TRADE_SHARE = 0.03  # firms whose inflows are inflated by round-tripped money
ANNUAL_DEFAULT_RATE = 0.045  # calibration target; exposure limits bring the realised rate to about 3 %
SMALL_SCALE_VAT_LIMIT = 5_000_000  # annual sales above which a firm is a general VAT taxpayer

# How firms come to default. "gradual", the sample world's own: a firm's default risk follows its health, and
# every default is announced by 4-9 months of distress that every feed shows (falling sales and cash, late bills
# and taxes, lawsuits). "shocks", a second story on the same firms, for checking that a scorecard trained on a
# bank's own outcomes does not depend on the first one: regional downturns, sudden defaults, and firms whose
# distress shows in their utility bills, taxes and court records while their sales and settlement hold up.
RISK_STORIES = ("gradual", "shocks")
SHOCK_REGIONS = 2  # regions hit by a downturn, each once
SHOCK_MONTHS = 6  # length of a downturn
SHOCK_HAZARD_FACTOR = 4.0  # monthly default hazard of the hit region's firms during it
SUDDEN_SHARE = 0.45  # defaults with no distress before the default month
CASH_BLIND_SHARE = 0.6  # firms whose sales and cash show only this much of their distress ...
CASH_BLIND_DISTRESS = 0.15  # ... (the rest of their distress shows in bills, taxes and court as before)

PHONE_PREFIXES = (
    tuple(f"13{d}" for d in range(10))
    + ("150", "151", "152", "153", "155", "156", "157", "158", "159")
    + tuple(f"18{d}" for d in range(10))
)
CAPITAL_LEVELS_YUAN = np.array([1e5, 3e5, 5e5, 1e6, 2e6, 3e6, 5e6, 8e6, 1e7, 2e7, 5e7])
INDIVIDUAL_CAPITAL_LEVELS_YUAN = np.array([1e4, 3e4, 5e4, 1e5, 2e5, 5e5])


@dataclass
class Firms:
    # --- registry: what the enterprise master shows (legal rep fields and capital may change over time) ---
    uscc: np.ndarray
    name: np.ndarray
    industry_code: np.ndarray
    region: np.ndarray  # index into vocab.REGIONS
    is_individual: np.ndarray
    established: np.ndarray  # datetime64[D]
    registered_capital: np.ndarray  # cents
    rep_name: np.ndarray
    rep_id: np.ndarray
    rep_phone: np.ndarray
    rep_card: np.ndarray  # the legal representative's personal card, source of owner top-ups
    customer_since: np.ndarray  # datetime64[D]
    # --- hidden economics ---
    health: np.ndarray  # latent quality, standard normal: drives margins, lateness, ratings and default risk
    base_sales: np.ndarray  # monthly sales (yuan) at the start of the window, before season and noise
    growth: np.ndarray  # monthly log growth of sales
    fake_trade: np.ndarray  # inflows inflated by round-tripped money, no matching power use or tax
    inflate: np.ndarray  # for fake-trade firms: settlement inflow / real sales
    default_month: np.ndarray  # NO_DEFAULT when the firm does not default before the window's horizon
    default_date: np.ndarray  # datetime64[D], NaT when no default
    distress_lead: np.ndarray  # months before default in which the firm visibly deteriorates
    default_risk: np.ndarray  # latent log-odds of default (before the intercept): the best any model could know
    cash_distress_share: np.ndarray  # share of the firm's distress that its sales and settlement show (1: all)
    declare_ratio: np.ndarray  # declared sales / real sales (some under-declare)
    general_taxpayer: np.ndarray
    vat_rate: np.ndarray  # effective VAT on declared sales for general taxpayers
    margin: np.ndarray  # profit margin, drives income tax
    kwh_per_yuan: np.ndarray
    base_kwh: np.ndarray  # monthly power use that does not move with sales
    m3_per_yuan: np.ndarray
    base_m3: np.ndarray
    late_tax: np.ndarray  # probability of filing late when healthy
    late_bill: np.ndarray  # probability of paying a bill late when healthy
    receipts_rate: np.ndarray  # expected incoming payments per month
    payments_rate: np.ndarray  # expected supplier payments per month
    cash_months: np.ndarray  # balance the firm aims to hold, in months of inflow
    wage_share: np.ndarray  # monthly payroll / base sales
    pos: np.ndarray  # paid largely by card / QR code
    acquirer: np.ndarray  # index into vocab.ACQUIRERS

    def __len__(self) -> int:
        return len(self.uscc)

    @property
    def section(self) -> np.ndarray:
        return np.strings.slice(self.industry_code.astype(str), 0, 1)

    @property
    def join_month(self) -> np.ndarray:
        return months_of(self.customer_since)

    @property
    def established_month(self) -> np.ndarray:
        return months_of(self.established)

    @property
    def defaults(self) -> np.ndarray:
        return self.default_month < NO_DEFAULT


@dataclass
class Accounts:
    number: np.ndarray  # 19-digit account number
    firm: np.ndarray
    primary: np.ndarray  # the firm's basic account (基本户)
    opening_balance: np.ndarray  # cents at the start of the window
    first_of_firm: np.ndarray  # per firm: index of its first account (accounts of a firm are contiguous)
    count_of_firm: np.ndarray  # per firm: number of accounts


@dataclass
class Meters:
    meter_id: np.ndarray
    firm: np.ndarray
    is_power: np.ndarray
    share: np.ndarray  # share of the firm's power (or water) use on this meter
    price: np.ndarray  # yuan per kWh or m3
    due_day: np.ndarray  # day of the month after issue when the bill is due


@dataclass
class Partners:
    """Each firm's recurring counterparties, as a compressed list of indices into the counterparty pool."""

    start: np.ndarray  # per firm
    count: np.ndarray  # per firm
    pool_index: np.ndarray  # flat

    def pick(self, rng: np.random.Generator, firm: np.ndarray, concentration: float = 2.0) -> np.ndarray:
        """One partner per row, skewed towards each firm's first (main) partners."""
        local = np.floor(self.count[firm] * rng.random(len(firm)) ** concentration).astype(np.int64)
        return self.pool_index[self.start[firm] + local]


@dataclass
class Counterparties:
    """Firms outside the bank that trade with (and sue) its customers."""

    name: np.ndarray
    account: np.ndarray


@dataclass
class World:
    seed: int
    window: Window
    firms: Firms
    accounts: Accounts
    meters: Meters
    customers: Partners
    suppliers: Partners
    pool: Counterparties
    downturns: tuple[tuple[int, int], ...] = ()  # (region, first month) of each SHOCK_MONTHS-long regional downturn


def build_world(seed: int, n_firms: int, window: Window, risk_story: str = "gradual") -> World:
    if risk_story not in RISK_STORIES:
        raise ValueError(f"unknown risk story {risk_story!r}; choose one of {', '.join(RISK_STORIES)}")
    firms = _draw_firms(seed, n_firms, window)
    downturns = _retell_as_shocks(seed, firms, window) if risk_story == "shocks" else ()
    pool = _draw_counterparties(seed, max(800, 2 * n_firms), taken=set(firms.name.tolist()))
    return World(
        seed=seed,
        window=window,
        firms=firms,
        accounts=_draw_accounts(seed, firms, window),
        meters=_draw_meters(seed, firms),
        customers=_draw_partners(stream(seed, "customers"), firms.receipts_rate * 1.2, len(pool.name)),
        suppliers=_draw_partners(stream(seed, "suppliers"), firms.payments_rate, len(pool.name)),
        pool=pool,
        downturns=downturns,
    )


# --- firms ------------------------------------------------------------------------------------------------


def _draw_firms(seed: int, n: int, window: Window) -> Firms:
    rng = stream(seed, "firms")
    is_individual = rng.random(n) < INDIVIDUAL_SHARE
    industry_code, name_word = _draw_industries(rng, is_individual)
    section = np.strings.slice(industry_code, 0, 1)
    region = weighted_choice(rng, [r.weight for r in vocab.REGIONS], n)
    established = _draw_established(rng, n, window)
    young = _is_young(established, window)

    health = rng.normal(size=n)
    base_sales = np.where(
        is_individual,
        rng.lognormal(np.log(60_000), 0.6, n),
        rng.lognormal(np.log(350_000), 1.0, n) * np.exp(0.15 * health),
    ).clip(5_000, 50_000_000)
    growth = rng.normal(0.004 + 0.003 * health, 0.008) + np.where(young, 0.01, 0.0)
    fake_trade = ~is_individual & (rng.random(n) < FAKE_TRADE_SHARE / (1 - INDIVIDUAL_SHARE))
    customer_since = _draw_customer_since(rng, established, window)
    default_month, distress_lead, default_risk = _draw_defaults(
        rng, health, section, young, fake_trade, months_of(customer_since), months_of(established), window
    )
    default_date = _random_day_in(rng, default_month)

    receipts_rate = (np.exp(rng.normal(np.log(5), 0.5, n)) * (base_sales / 300_000) ** 0.3).clip(1, 150)
    general_taxpayer = ~is_individual & ((base_sales * 12 > SMALL_SCALE_VAT_LIMIT) | (rng.random(n) < 0.15))
    kwh_per_yuan = np.array([vocab.SECTION_KWH_PER_YUAN[s] for s in section.tolist()]) * rng.lognormal(0, 0.35, n)
    m3_per_yuan = 0.0006 * rng.lognormal(0, 0.5, n) * np.where(np.isin(section, ["H", "C"]), 4.0, 1.0)
    pos = np.isin(industry_code, list(vocab.POS_DIVISIONS))
    rep_name = person_names(rng, n)
    names = _unique_firm_names(rng, is_individual, region, name_word)

    return Firms(
        uscc=_unique_usccs(rng, is_individual, region, established),
        name=names,
        industry_code=industry_code.astype(object),
        region=region,
        is_individual=is_individual,
        established=established,
        registered_capital=_draw_capital(rng, base_sales, is_individual),
        rep_name=rep_name,
        rep_id=resident_ids(rng, established),
        rep_phone=phone_numbers(rng, n),
        rep_card=with_luhn(np.strings.add("62", digit_strings(rng, n, 16))).astype(object),
        customer_since=customer_since,
        health=health,
        base_sales=base_sales,
        growth=growth,
        fake_trade=fake_trade,
        inflate=np.where(fake_trade, rng.uniform(2.0, 5.0, n), 1.0),
        default_month=default_month,
        default_date=default_date,
        distress_lead=distress_lead,
        default_risk=default_risk,
        cash_distress_share=np.ones(n),
        declare_ratio=rng.uniform(0.85, 1.0, n),
        general_taxpayer=general_taxpayer,
        vat_rate=rng.uniform(0.015, 0.045, n),
        margin=rng.normal(0.05 + 0.03 * health, 0.03),
        kwh_per_yuan=kwh_per_yuan,
        base_kwh=base_sales * kwh_per_yuan * rng.uniform(0.1, 0.3, n),
        m3_per_yuan=m3_per_yuan,
        base_m3=base_sales * m3_per_yuan * rng.uniform(0.1, 0.3, n) + 2,
        late_tax=_sigmoid(-3.2 - 0.8 * health),
        late_bill=_sigmoid(-2.8 - 0.8 * health),
        receipts_rate=receipts_rate,
        payments_rate=receipts_rate * rng.uniform(0.5, 0.9, n),
        cash_months=rng.lognormal(np.log(1.2) + 0.25 * health, 0.3),
        wage_share=np.where(is_individual, 0.0, rng.uniform(0.08, 0.25, n)),
        pos=pos,
        acquirer=rng.integers(0, len(vocab.ACQUIRERS), n),
    )


def _draw_industries(rng: np.random.Generator, is_individual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Industry code and the word that goes into the firm's name."""
    n = len(is_individual)
    code = np.empty(n, dtype="<U3")
    word = np.empty(n, dtype=object)
    companies = np.flatnonzero(~is_individual)
    chosen = weighted_choice(rng, [i.weight for i in vocab.INDUSTRIES], len(companies))
    for firm, industry in zip(companies.tolist(), chosen.tolist()):
        code[firm] = vocab.INDUSTRIES[industry].code
        word[firm] = _pick(rng, vocab.INDUSTRIES[industry].words)
    individuals = np.flatnonzero(is_individual)
    chosen = weighted_choice(rng, [weight for _, weight, _ in vocab.INDIVIDUAL_BUSINESSES], len(individuals))
    for firm, kind in zip(individuals.tolist(), chosen.tolist()):
        code[firm], _, words = vocab.INDIVIDUAL_BUSINESSES[kind]
        word[firm] = _pick(rng, words)
    return code, word


def _draw_established(rng: np.random.Generator, n: int, window: Window) -> np.ndarray:
    """Most firms are 2-20 years old at the end of the window, some younger."""
    end = month_end(window.last)
    young = rng.random(n) < YOUNG_SHARE
    age_days = np.where(young, rng.uniform(30, 730, n), 730 + rng.gamma(2.0, 3.0, n).clip(0, 22) * 365.25)
    return end - age_days.astype(np.int64).astype("timedelta64[D]")


def _draw_customer_since(rng: np.random.Generator, established: np.ndarray, window: Window) -> np.ndarray:
    """Most firms opened their settlement account before the window; some open it during the window."""
    n = len(established)
    start, end = month_start(window.first), month_end(window.last)
    joins_in_window = (rng.random(n) < JOINING_SHARE) | (established >= start)
    earliest = np.where(
        joins_in_window, np.maximum(established, start), np.maximum(established, start - np.timedelta64(8 * 365, "D"))
    )
    latest = np.where(joins_in_window, end, start - np.timedelta64(1, "D"))
    span = (latest - earliest).astype(np.int64) + 1
    return earliest + (rng.random(n) * span).astype(np.int64).astype("timedelta64[D]")


def _draw_defaults(rng, health, section, young, fake_trade, join_month, established_month, window: Window):
    """Which firms default in the window, and when: yearly PD from health and industry, calibrated on average."""
    score = -1.1 * health + np.log(_section_risk(section)) + 0.6 * young + 1.0 * fake_trade
    monthly_hazard = _monthly_hazard(score)
    first_possible = _first_possible_default(join_month, established_month, window)
    default_month = first_possible + rng.geometric(monthly_hazard) - 1
    # Drawn past the window, so that firms defaulting soon after it already show distress inside it.
    default_month = np.where(default_month <= window.horizon, default_month, NO_DEFAULT)
    distress_lead = rng.integers(4, 10, len(health))
    return default_month, distress_lead, score


def _monthly_hazard(score: np.ndarray) -> np.ndarray:
    """Each firm's monthly default probability: its yearly one from the log-odds `score`, calibrated so that the
    average is ANNUAL_DEFAULT_RATE."""
    annual_pd = _sigmoid(_calibrate_intercept(score, ANNUAL_DEFAULT_RATE) + score)
    return 1 - (1 - annual_pd) ** (1 / 12)


def _first_possible_default(join_month: np.ndarray, established_month: np.ndarray, window: Window) -> np.ndarray:
    """A firm can only default once it has been a customer (and in business) for a few months."""
    return np.maximum.reduce([np.full(len(join_month), window.first), join_month + 3, established_month + 3])


def _is_young(established: np.ndarray, window: Window) -> np.ndarray:
    """Under two years old at the end of the window."""
    return established > month_end(window.last) - np.timedelta64(730, "D")


def _section_risk(section: np.ndarray) -> np.ndarray:
    return np.array([vocab.SECTION_RISK[s] for s in section.tolist()])


def _retell_as_shocks(seed: int, firms: Firms, window: Window) -> tuple[tuple[int, int], ...]:
    """The "shocks" story on firms drawn for the gradual one (the same firms, registry and economics, from the same
    draws): new default months from a hazard that health drives less and regional downturns multiply, a share of
    sudden defaults, and firms whose sales and cash hide most of their distress. Its own random stream."""
    rng = stream(seed, "shocks")
    n = len(firms)
    young = _is_young(firms.established, window)
    score = -0.6 * firms.health + np.log(_section_risk(firms.section)) + 0.4 * young + 0.6 * firms.fake_trade
    monthly_hazard = _monthly_hazard(score)
    first_possible = _first_possible_default(firms.join_month, firms.established_month, window)
    hit_regions = rng.choice(len(vocab.REGIONS), SHOCK_REGIONS, replace=False)
    # each downturn lies inside the window (when it is long enough), so that the deliveries show it
    shock_starts = rng.integers(window.first, max(window.first + 1, window.last - SHOCK_MONTHS + 2), SHOCK_REGIONS)
    default_month = np.full(n, NO_DEFAULT)
    for month in range(window.first, window.horizon + 1):
        hazard = monthly_hazard.copy()
        for region, start in zip(hit_regions.tolist(), shock_starts.tolist()):
            if start <= month < start + SHOCK_MONTHS:
                hazard[firms.region == region] *= SHOCK_HAZARD_FACTOR
        struck = (default_month == NO_DEFAULT) & (month >= first_possible) & (rng.random(n) < hazard)
        default_month[struck] = month
    firms.default_month = default_month
    firms.default_date = _random_day_in(rng, default_month)
    firms.distress_lead = np.where(rng.random(n) < SUDDEN_SHARE, 0, rng.integers(2, 8, n))
    firms.default_risk = score
    firms.cash_distress_share = np.where(rng.random(n) < CASH_BLIND_SHARE, CASH_BLIND_DISTRESS, 1.0)
    return tuple(zip(hit_regions.tolist(), shock_starts.tolist()))


def _calibrate_intercept(score: np.ndarray, mean_rate: float) -> float:
    """The intercept a for which mean(sigmoid(a + score)) == mean_rate (bisection)."""
    low, high = -20.0, 5.0
    for _ in range(60):
        middle = (low + high) / 2
        if _sigmoid(middle + score).mean() > mean_rate:
            high = middle
        else:
            low = middle
    return (low + high) / 2


def _random_day_in(rng: np.random.Generator, month: np.ndarray) -> np.ndarray:
    """A random day inside each month; NaT where month is NO_DEFAULT."""
    valid = month < NO_DEFAULT
    safe = np.where(valid, month, 0)
    first = safe.astype("datetime64[M]").astype("datetime64[D]")
    length = ((safe + 1).astype("datetime64[M]").astype("datetime64[D]") - first).astype(np.int64)
    day = first + (rng.random(len(month)) * length).astype(np.int64).astype("timedelta64[D]")
    return np.where(valid, day, np.datetime64("NaT"))


def _draw_capital(rng: np.random.Generator, base_sales: np.ndarray, is_individual: np.ndarray) -> np.ndarray:
    """Registered capital, a round amount loosely tied to size; individual businesses declare small sums."""
    wanted = base_sales * 12 * rng.lognormal(-1.0, 0.8, len(base_sales))
    company = CAPITAL_LEVELS_YUAN[np.abs(np.log(wanted[:, None] / CAPITAL_LEVELS_YUAN)).argmin(axis=1)]
    individual = INDIVIDUAL_CAPITAL_LEVELS_YUAN[rng.integers(0, len(INDIVIDUAL_CAPITAL_LEVELS_YUAN), len(wanted))]
    return (np.where(is_individual, individual, company) * 100).astype(np.int64)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


# --- names and identifiers --------------------------------------------------------------------------------


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    surnames = np.array(list(vocab.SURNAMES))
    surname_weights = 1 / np.arange(1, len(surnames) + 1) ** 0.8  # 王, 李, 张 ... are far more common
    given = np.array(list(vocab.GIVEN_NAME_CHARS))
    first = given[rng.integers(0, len(given), n)]
    second = np.where(rng.random(n) < 0.7, given[rng.integers(0, len(given), n)], "")
    names = np.strings.add(np.strings.add(surnames[weighted_choice(rng, surname_weights, n)], first), second)
    return names.astype(object)


def phone_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    prefixes = np.array(PHONE_PREFIXES)[rng.integers(0, len(PHONE_PREFIXES), n)]
    return np.strings.add(prefixes, digit_strings(rng, n, 8)).astype(object)


def resident_ids(rng: np.random.Generator, established: np.ndarray) -> np.ndarray:
    """18-digit resident ID numbers: birthplace, birth date (25-60 years old at founding), sequence, check digit."""
    n = len(established)
    birthplace = np.array(vocab.BIRTHPLACE_CODES)[rng.integers(0, len(vocab.BIRTHPLACE_CODES), n)]
    born = established - (rng.uniform(25, 60, n) * 365.25).astype(np.int64).astype("timedelta64[D]")
    born_text = replace_all(np.datetime_as_string(born, unit="D"), "-", "")
    first17 = np.strings.add(np.strings.add(birthplace, born_text), digit_strings(rng, n, 3))
    return np.array([f + uscc_codes.resident_id_check_digit(f) for f in first17.tolist()], dtype=object)


def _trade_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Two-character trade names (字号) such as 宏达, 鑫源."""
    first = np.array(list(vocab.TRADE_NAME_FIRST))[rng.integers(0, len(vocab.TRADE_NAME_FIRST), n)]
    second = np.array(list(vocab.TRADE_NAME_SECOND))[rng.integers(0, len(vocab.TRADE_NAME_SECOND), n)]
    return np.strings.add(first, second)


def _company_names(rng: np.random.Generator, city: np.ndarray, word: np.ndarray) -> np.ndarray:
    """上海宏达贸易有限公司; some 宏达（上海）贸易有限公司; some 有限责任公司."""
    n = len(city)
    trade = _trade_names(rng, n)
    suffix = np.where(rng.random(n) < 0.15, "有限责任公司", "有限公司")
    bracketed = rng.random(n) < 0.1
    return np.array(
        [
            f"{t}（{c}）{w}{s}" if b else f"{c}{t}{w}{s}"
            for t, c, w, s, b in zip(trade.tolist(), city.tolist(), word.tolist(), suffix.tolist(), bracketed.tolist())
        ],
        dtype=object,
    )


def _firm_names(rng: np.random.Generator, is_individual, region, word) -> np.ndarray:
    city = np.array([vocab.REGIONS[r].city for r in region.tolist()])
    admin = np.array([vocab.REGIONS[r].admin for r in region.tolist()])
    companies = _company_names(rng, city, word)
    shops = np.strings.add(np.strings.add(admin, _trade_names(rng, len(admin))), word.astype(str)).astype(object)
    return np.where(is_individual, shops, companies)


def _unique_firm_names(rng: np.random.Generator, is_individual, region, word) -> np.ndarray:
    names = _firm_names(rng, is_individual, region, word)
    for _ in range(100):
        duplicate = _duplicates(names)
        if not duplicate.any():
            return names
        index = np.flatnonzero(duplicate)
        names[index] = _firm_names(rng, is_individual[index], region[index], word[index])
    raise RuntimeError("could not draw unique firm names; enlarge the trade-name characters in vocab.py")


def _duplicates(values: np.ndarray, taken: set | None = None) -> np.ndarray:
    """True for every repeat after the first occurrence (and for anything in `taken`)."""
    _, first = np.unique(values.astype(str), return_index=True)
    duplicate = np.ones(len(values), dtype=bool)
    duplicate[first] = False
    if taken:
        duplicate |= np.array([v in taken for v in values.tolist()], dtype=bool)
    return duplicate


def _redraw_duplicates(draw, size: int) -> np.ndarray:
    """draw(indices) -> values for those rows; rows that repeat an earlier value are drawn again until unique."""
    values = draw(np.arange(size)).astype(object)
    for _ in range(100):
        duplicate = _duplicates(values)
        if not duplicate.any():
            return values
        index = np.flatnonzero(duplicate)
        values[index] = draw(index)
    raise RuntimeError("could not draw unique identifiers")


def make_uscc(entity_type: str, region_code: str, org8: str) -> str:
    first17 = f"9{entity_type}{region_code}{org8}{uscc_codes.org_code_check_character(org8)}"
    return first17 + uscc_codes.check_character(first17)


_ORG_CHARS = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))


def random_usccs(
    rng: np.random.Generator, entity_type: np.ndarray, region_code: np.ndarray, new_style: np.ndarray
) -> np.ndarray:
    """USCCs; firms registered since the 2015 reform get organisation codes MA + 6 characters, older ones 8 digits."""
    n = len(entity_type)
    new_body = np.strings.add("MA", _ORG_CHARS[rng.integers(0, len(_ORG_CHARS), (n, 6))].view("<U6").reshape(n))
    old_body = digit_strings(rng, n, 8)
    org8 = np.where(new_style, new_body, old_body)
    return np.array(
        [make_uscc(t, r, o) for t, r, o in zip(entity_type.tolist(), region_code.tolist(), org8.tolist())], dtype=object
    )


def _unique_usccs(rng: np.random.Generator, is_individual, region, established) -> np.ndarray:
    entity_type = np.where(is_individual, "2", "1")
    region_code = np.array([vocab.REGIONS[r].code for r in region.tolist()])
    new_style = established >= np.datetime64("2015-10-01")
    codes = random_usccs(rng, entity_type, region_code, new_style)
    while (duplicate := _duplicates(codes)).any():
        index = np.flatnonzero(duplicate)
        codes[index] = random_usccs(rng, entity_type[index], region_code[index], new_style[index])
    return codes


# --- accounts, meters, partners ---------------------------------------------------------------------------


def _draw_accounts(seed: int, firms: Firms, window: Window) -> Accounts:
    rng = stream(seed, "accounts")
    n = len(firms)
    big = firms.base_sales > 1_000_000
    count = 1 + (rng.random(n) < np.where(big, 0.5, 0.25)) + (rng.random(n) < np.where(big, 0.25, 0.06))
    firm = np.repeat(np.arange(n), count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    primary = np.zeros(len(firm), dtype=bool)
    primary[first] = True
    branch = np.array([vocab.REGIONS[r].code[2:] for r in firms.region.tolist()])[firm]
    product = np.where(primary, "01", "02")  # basic account / general account
    number = _redraw_duplicates(
        lambda index: with_luhn(
            np.strings.add(
                np.strings.add(np.strings.add("3", branch[index]), product[index]), digit_strings(rng, len(index), 11)
            )
        ),
        len(firm),
    )
    # Customers from before the window start with the cash they aim to hold; newcomers start empty.
    target = firms.cash_months * firms.base_sales * 1.06 * rng.uniform(0.6, 1.4, n)
    target = np.where(firms.customer_since < month_start(window.first), target, 0.0)
    share = np.where(primary, 0.75, 0.25 / np.maximum(count[firm] - 1, 1))
    share = np.where(count[firm] == 1, 1.0, share)
    opening = np.round(target[firm] * share * 100).astype(np.int64)
    return Accounts(
        number=number.astype(object),
        firm=firm,
        primary=primary,
        opening_balance=opening,
        first_of_firm=first,
        count_of_firm=count,
    )


def _draw_meters(seed: int, firms: Firms) -> Meters:
    """One or two power meters and one water meter per firm."""
    rng = stream(seed, "meters")
    n = len(firms)
    power_count = 1 + (rng.random(n) < np.where(firms.is_individual, 0.0, 0.25))
    power_firm = np.repeat(np.arange(n), power_count)
    main_share = rng.uniform(0.5, 0.85, n)
    first = np.concatenate([[0], np.cumsum(power_count)[:-1]])
    power_share = np.where(power_count[power_firm] == 1, 1.0, 1 - main_share[power_firm])
    power_share[first] = np.where(power_count == 1, 1.0, main_share)
    water_firm = np.arange(n)
    firm = np.concatenate([power_firm, water_firm])
    is_power = np.concatenate([np.ones(len(power_firm), bool), np.zeros(n, bool)])
    region_code = np.array([vocab.REGIONS[r].code for r in firms.region.tolist()])[firm]
    # Utility account numbers: district code + serial (power 7 digits, water 6), unique per utility.
    meter_id = _redraw_duplicates(
        lambda index: np.strings.add(
            region_code[index],
            np.where(is_power[index], digit_strings(rng, len(index), 7), digit_strings(rng, len(index), 6)),
        ),
        len(firm),
    )
    return Meters(
        meter_id=meter_id.astype(object),
        firm=firm,
        is_power=is_power,
        share=np.concatenate([power_share, np.ones(n)]),
        price=np.where(is_power, rng.uniform(0.6, 1.0, len(firm)), rng.uniform(4.0, 6.0, len(firm))).round(2),
        due_day=rng.integers(15, 26, len(firm)),
    )


def _draw_partners(rng: np.random.Generator, rate: np.ndarray, pool_size: int) -> Partners:
    count = (rng.poisson(rate) + 1).clip(1, 40)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    # Some counterparties are hubs (big buyers, wholesalers) shared by many firms.
    pool_index = np.floor(pool_size * rng.random(count.sum()) ** 1.7).astype(np.int64)
    return Partners(start=start, count=count, pool_index=pool_index)


def _draw_counterparties(seed: int, size: int, taken: set) -> Counterparties:
    rng = stream(seed, "counterparties")
    city = np.array(vocab.COUNTERPARTY_CITIES)[rng.integers(0, len(vocab.COUNTERPARTY_CITIES), size)]
    industry = weighted_choice(rng, [i.weight for i in vocab.INDUSTRIES], size)
    word = np.array([_pick(rng, vocab.INDUSTRIES[i].words) for i in industry.tolist()], dtype=object)
    names = _company_names(rng, city, word)
    for _ in range(100):
        duplicate = _duplicates(names, taken)
        if not duplicate.any():
            break
        index = np.flatnonzero(duplicate)
        names[index] = _company_names(rng, city[index], word[index])
    else:
        raise RuntimeError("could not draw unique counterparty names")
    # Accounts at other banks: their lengths differ by bank.
    length = np.array([12, 15, 16, 17, 18, 19, 20])[rng.integers(0, 7, size)]
    digits = digit_strings(rng, size, 20)
    account = np.array([d[:k] for d, k in zip(digits.tolist(), length.tolist())], dtype=object)
    return Counterparties(name=names, account=account)
