"""The bank's own feed: every settlement-account transaction of a month, with the running balance.

A month's transactions are built as "legs", each a frame with one row per transaction:
receipts from customers (or card acquirers), supplier payments, payroll, tax and utility payments (the same
amounts and dates as the tax and utility feeds), round-tripped money of fake-trade firms, and owner top-ups
where an account would otherwise go below zero. Balances run per account in (txn_ts, txn_id) order and carry
over from month to month; txn_id is the delivery day plus a sequence, so it sorts like the timestamps.
"""

from __future__ import annotations

import numpy as np

from sme_credit_sample import landing, vocab
from sme_credit_sample.calendar import day_weights, days_in_month, month_start
from sme_credit_sample.economy import Activity, is_customer, season
from sme_credit_sample.firms import World
from sme_credit_sample.frames import Frame, concat, take
from sme_credit_sample.randomness import replace_all, split_by_weights, stream, to_cents, zero_padded

CHANNELS = np.array(["COUNTER", "ONLINE", "MOBILE", "POS", "BATCH"])
COUNTER, ONLINE, MOBILE, POS, BATCH = range(5)

GROSS_UP = 1.06  # receipts include the VAT the firm invoices
POS_SHARE = 0.7  # share of a card-paid firm's receipts that come through an acquirer
HOUR = 3600


class Bank:
    def __init__(self, world: World) -> None:
        self.world = world
        self.balance = world.accounts.opening_balance.copy()  # cents per account, carried month to month

    def transactions_in(self, month: int, now: Activity, tax_filings: Frame, bill_payments: Frame) -> landing.Formatted:
        """The month's transactions, booked; formatted into contract columns only when written, a slice at a time."""
        rng = stream(self.world.seed, "settlement", month)
        firms = self.world.firms
        active = is_customer(self.world, month) & now.operating
        inflow = np.where(active, now.sales * GROSS_UP * rng.lognormal(0, 0.05, len(firms)), 0.0)
        wages = self._wages(now, active)
        tax = self._tax_payments(rng, tax_filings)
        utilities = self._utility_payments(rng, bill_payments)
        legs = concat(
            [
                self._receipts(rng, month, now, inflow),
                self._supplier_payments(rng, month, now, inflow, wages, tax, utilities),
                self._payroll(rng, month, wages),
                tax,
                utilities,
                self._round_trips(rng, month, inflow),
            ]
        )
        legs = self._on_accounts(rng, legs, month)
        legs = concat([legs, self._owner_top_ups(rng, legs, month)])
        return landing.Formatted(self._book(legs), self.columns)

    # --- legs ---------------------------------------------------------------------------------------------

    def _receipts(self, rng, month: int, now: Activity, inflow: np.ndarray) -> Frame:
        """Customer payments; card-paid businesses receive most of it as acquirer settlements at night."""
        firms = self.world.firms
        ratio = np.divide(now.sales, now.expected_sales, out=np.zeros(len(firms)), where=now.expected_sales > 0)
        count = rng.poisson(firms.receipts_rate * np.sqrt(ratio.clip(0.05, 3)))
        count = np.where(inflow > 0, np.maximum(count, 1), 0)
        firm = np.repeat(np.arange(len(firms)), count)
        cents = np.maximum(to_cents(split_by_weights(rng, firm, inflow)), 1)
        via_pos = firms.pos[firm] & (rng.random(len(firm)) < POS_SHARE)
        partner = self.world.customers.pick(rng, firm)
        acquirer = firms.acquirer[firm]
        channel = np.where(via_pos, POS, self._person_channel(rng, firms.is_individual[firm]))
        return _leg(
            firm=firm,
            credit=True,
            cents=cents,
            ts=self._timestamps(rng, month, channel),
            channel=channel,
            name=np.where(via_pos, np.array(vocab.ACQUIRERS, dtype=object)[acquirer], self.world.pool.name[partner]),
            account=np.where(via_pos, _ACQUIRER_ACCOUNTS[acquirer], self.world.pool.account[partner]),
        )

    def _supplier_payments(self, rng, month, now: Activity, inflow, wages, tax: Frame, utilities: Frame) -> Frame:
        """Purchases: what the inflow leaves after margin and fixed costs, pulled towards the firm's cash target.

        A firm in distress keeps buying as if sales had not fallen (costs are sticky), so its cash drains and the
        owner has to pay in: the balance and the top-ups tell the story before the default.
        """
        world, firms = self.world, self.world.firms
        n = len(firms)
        fixed = (
            wages
            + np.bincount(tax["firm"], tax["cents"], n) / 100
            + np.bincount(utilities["firm"], utilities["cents"], n) / 100
        )
        balance = np.bincount(world.accounts.firm, self.balance, n) / 100
        winding_down = np.where(now.months_since_default >= 0, 0.3, 1.0)
        target = firms.cash_months * now.expected_sales * GROSS_UP * winding_down
        usual_inflow = now.expected_sales * GROSS_UP * season(self.world, month)
        cost_basis = inflow + 0.8 * now.cash_distress * np.maximum(usual_inflow - inflow, 0) * (
            now.months_since_default < 0
        )
        spend = cost_basis * (1 - firms.margin.clip(0, 0.3) - 0.02) - fixed + 0.3 * (balance - target)
        spend = np.where(inflow > 0, spend.clip(0, None), 0.0)
        ratio = np.divide(inflow, now.expected_sales * GROSS_UP, out=np.zeros(n), where=now.expected_sales > 0)
        count = rng.poisson(firms.payments_rate * np.sqrt(ratio.clip(0.05, 3)))
        count = np.where(spend > 0, np.maximum(count, 1), 0)
        firm = np.repeat(np.arange(n), count)
        partner = world.suppliers.pick(rng, firm)
        channel = _choose(rng, len(firm), {ONLINE: 0.6, MOBILE: 0.2, COUNTER: 0.1, BATCH: 0.1})
        return _leg(
            firm=firm,
            credit=False,
            cents=np.maximum(to_cents(split_by_weights(rng, firm, spend)), 1),
            ts=self._timestamps(rng, month, channel),
            channel=channel,
            name=world.pool.name[partner],
            account=world.pool.account[partner],
        )

    def _wages(self, now: Activity, active: np.ndarray) -> np.ndarray:
        """Payroll is sticky: it shrinks only a little on the way down, and sharply after a default."""
        firms = self.world.firms
        after_default = np.where(now.months_since_default >= 0, 0.2, 1.0)
        return np.where(
            active, firms.wage_share * now.expected_sales * (1 - 0.3 * now.cash_distress) * after_default, 0
        )

    def _payroll(self, rng, month: int, wages: np.ndarray) -> Frame:
        firm = np.flatnonzero(wages > 0)
        day = month_start(month) + rng.integers(7, 15, len(firm)).astype("timedelta64[D]")
        ts = day.astype("datetime64[s]") + rng.integers(9 * HOUR, 11 * HOUR, len(firm)).astype("timedelta64[s]")
        return _leg(
            firm=firm,
            credit=False,
            cents=to_cents(wages[firm]),
            ts=ts,
            channel=np.full(len(firm), BATCH),
            name=np.full(len(firm), vocab.PAYROLL_COUNTERPARTY, dtype=object),
            account=np.full(len(firm), None, dtype=object),
            primary=True,
        )

    def _tax_payments(self, rng, filings: Frame) -> Frame:
        """VAT and income tax leave the basic account on the filing day, to the district treasury."""
        paid = filings["vat"] + filings["income_tax"]
        filings = take(filings, paid > 0)
        firm = filings["firm"]
        region = self.world.firms.region[firm]
        channel = _choose(rng, len(firm), {ONLINE: 0.7, BATCH: 0.3})
        ts = filings["filing_date"].astype("datetime64[s]") + rng.integers(9 * HOUR, 17 * HOUR, len(firm)).astype(
            "timedelta64[s]"
        )
        return _leg(
            firm=firm,
            credit=False,
            cents=filings["vat"] + filings["income_tax"],
            ts=ts,
            channel=channel,
            name=_REGION_TREASURY[region],
            account=_REGION_TREASURY_ACCOUNT[region],
            primary=True,
        )

    def _utility_payments(self, rng, bills: Frame) -> Frame:
        firm = bills["firm"]
        region = self.world.firms.region[firm]
        power = self.world.meters.is_power[bills["meter"]]
        channel = _choose(rng, len(firm), {BATCH: 0.6, ONLINE: 0.25, MOBILE: 0.15})
        ts = bills["paid_date"].astype("datetime64[s]") + self._time_of_day(rng, channel)
        return _leg(
            firm=firm,
            credit=False,
            cents=bills["amount"],
            ts=ts,
            channel=channel,
            name=np.where(power, _REGION_POWER[region], _REGION_WATER[region]),
            account=np.where(power, _REGION_POWER_ACCOUNT[region], _REGION_WATER_ACCOUNT[region]),
            primary=True,
        )

    def _round_trips(self, rng, month: int, inflow: np.ndarray) -> Frame:
        """Fake trade: round sums arrive from a few 'customers' and leave within two days to 'suppliers'.

        How much is cycled follows what the firm wants its turnover to look like, not its business: the sums jump
        from month to month and ignore the season, so the inflows stop moving with power use and declared sales.
        """
        firms = self.world.firms
        wanted = firms.base_sales * (firms.inflate - 1) * rng.lognormal(0, 0.6, len(firms))
        extra = np.where(firms.fake_trade & (inflow > 0), wanted, 0.0)
        trips = np.where(extra >= 10_000, rng.integers(2, 7, len(firms)), 0)
        firm = np.repeat(np.arange(len(firms)), trips)
        amount = np.maximum(np.round(split_by_weights(rng, firm, extra) / 10_000), 1) * 10_000
        last_day = days_in_month(month) - 1
        day_in = rng.choice(days_in_month(month), size=len(firm), p=day_weights(month))
        day_out = np.minimum(day_in + rng.integers(0, 3, len(firm)), last_day)
        second = rng.integers(9 * HOUR, 17 * HOUR, (2, len(firm)))
        # the money leaves after it came in, even on the same day
        second[1] = np.where(day_out == day_in, np.maximum(second[1], second[0] + 600), second[1])
        start = month_start(month).astype("datetime64[s]")
        ts_in = start + (day_in * 86_400 + second[0]).astype("timedelta64[s]")
        ts_out = start + (day_out * 86_400 + second[1]).astype("timedelta64[s]")
        source = self.world.customers.pick(rng, firm, concentration=4.0)
        sink = self.world.suppliers.pick(rng, firm, concentration=4.0)
        channel = _choose(rng, len(firm), {ONLINE: 0.8, COUNTER: 0.2})
        pool = self.world.pool
        come_in = _leg(
            firm=firm,
            credit=True,
            cents=to_cents(amount),
            ts=ts_in,
            channel=channel,
            name=pool.name[source],
            account=pool.account[source],
        )
        go_out = _leg(
            firm=firm,
            credit=False,
            cents=to_cents(np.round(amount * rng.uniform(0.97, 1.0, len(firm)), -2)),
            ts=ts_out,
            channel=channel,
            name=pool.name[sink],
            account=pool.account[sink],
        )
        return concat([come_in, go_out])

    # --- accounts and balances ----------------------------------------------------------------------------

    def _on_accounts(self, rng, legs: Frame, month: int) -> Frame:
        """Book each leg on one of the firm's accounts (mostly the basic one); drop what predates the account."""
        accounts, firms = self.world.accounts, self.world.firms
        firm = legs["firm"]
        other = rng.random(len(firm)) >= 0.75
        offset = np.where(
            legs["primary"] | ~other, 0, np.floor(rng.random(len(firm)) * accounts.count_of_firm[firm]).astype(np.int64)
        )
        legs["account"] = accounts.first_of_firm[firm] + offset
        legs["tiebreak"] = rng.permutation(len(firm))
        opened = firms.customer_since[firm].astype("datetime64[s]")
        return take(legs, legs["ts"] >= opened)

    def _owner_top_ups(self, rng, legs: Frame, month: int) -> Frame:
        """Where an account would go below zero this month, the owner pays in first (a warning sign in itself)."""
        by_account = np.lexsort((legs["tiebreak"], legs["ts"], legs["account"]))
        running, group_start = self._running_balances(legs, by_account)
        lowest = np.minimum.reduceat(running, group_start) if len(running) else running
        short = lowest < 0
        account = legs["account"][by_account[group_start[short]]]
        first_ts = legs["ts"][by_account[group_start[short]]]
        firm = self.world.accounts.firm[account]
        need = -lowest[short]
        # enough to cover the gap and part of a month's payments, in round hundreds of yuan
        debits = np.bincount(legs["account"], np.where(legs["credit"], 0, legs["cents"]), len(self.balance))[account]
        cents = (np.ceil((need + debits * rng.uniform(0.1, 0.4, len(need))) / 10_000) * 10_000).astype(np.int64)
        earliest = np.maximum(month_start(month), self.world.firms.customer_since[firm]).astype("datetime64[s]")
        ts = np.maximum(first_ts - rng.integers(300, 3 * HOUR, len(need)).astype("timedelta64[s]"), earliest)
        top_ups = _leg(
            firm=firm,
            credit=True,
            cents=cents,
            ts=ts,
            channel=_choose(rng, len(firm), {COUNTER: 0.4, MOBILE: 0.6}),
            name=self.world.firms.rep_name[firm],
            account=self.world.firms.rep_card[firm],
        )
        top_ups["account"] = account
        top_ups["tiebreak"] = np.full(len(firm), -1)  # before anything else at the same second
        return top_ups

    def _running_balances(self, legs: Frame, by_account: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Balance after each row in `by_account` order (account, then time) and where each account's rows start."""
        signed = np.where(legs["credit"], legs["cents"], -legs["cents"])[by_account]
        account = legs["account"][by_account]
        group_start = np.flatnonzero(np.r_[True, account[1:] != account[:-1]]) if len(account) else np.array([], int)
        total = np.cumsum(signed)
        before_group = np.repeat(total[group_start] - signed[group_start], np.diff(np.r_[group_start, len(account)]))
        return self.balance[account] + total - before_group, group_start

    def _book(self, legs: Frame) -> Frame:
        """Order the month by time, compute balances, carry them over to the next month."""
        by_account = np.lexsort((legs["tiebreak"], legs["ts"], legs["account"]))
        running, group_start = self._running_balances(legs, by_account)
        if len(running) and running.min() < 0:
            raise AssertionError("an account went below zero despite the owner top-ups")
        balance_after = np.empty_like(running)
        balance_after[by_account] = running
        group_end = np.r_[group_start[1:], len(running)] - 1
        self.balance[legs["account"][by_account][group_end]] = running[group_end]

        legs["balance_after"] = balance_after
        booked = take(legs, np.lexsort((legs["tiebreak"], legs["account"], legs["ts"])))
        booked["sequence"] = np.arange(1, len(by_account) + 1)
        return booked

    def columns(self, legs: Frame) -> landing.Columns:
        """Contract columns; txn_id is the day plus the month's sequence number, so ids sort like timestamps."""
        day = replace_all(np.datetime_as_string(legs["ts"], unit="D"), "-", "")
        world = self.world
        return {
            "txn_id": np.strings.add(day, zero_padded(legs["sequence"], 10)),
            "account_no": world.accounts.number[legs["account"]],
            "uscc": world.firms.uscc[legs["firm"]],
            "txn_ts": landing.timestamps(legs["ts"]),
            "direction": np.where(legs["credit"], "C", "D"),
            "amount": landing.money(legs["cents"]),
            "counterparty_name": legs["name"],
            "counterparty_account": legs["counterparty_account"],
            "channel": CHANNELS[legs["channel"]],
            "balance_after": landing.money(legs["balance_after"]),
        }

    # --- timing -------------------------------------------------------------------------------------------

    def _timestamps(self, rng, month: int, channel: np.ndarray) -> np.ndarray:
        """A business day of the month (weekends and holidays quiet) and a time that suits the channel."""
        day = rng.choice(days_in_month(month), size=len(channel), p=day_weights(month))
        start = month_start(month).astype("datetime64[s]")
        return start + (day * 86_400).astype("timedelta64[s]") + self._time_of_day(rng, channel)

    @staticmethod
    def _time_of_day(rng, channel: np.ndarray) -> np.ndarray:
        n = len(channel)
        office = rng.normal(11.5 * HOUR, 2.3 * HOUR, n).clip(8.5 * HOUR, 17.5 * HOUR)
        mobile = rng.normal(14 * HOUR, 4 * HOUR, n).clip(7 * HOUR, 23.5 * HOUR)
        night_batch = rng.uniform(1 * HOUR, 6 * HOUR, n)  # acquirer settlements and auto-debits run at night
        seconds = np.select([channel == MOBILE, (channel == POS) | (channel == BATCH)], [mobile, night_batch], office)
        return seconds.astype(np.int64).astype("timedelta64[s]")

    @staticmethod
    def _person_channel(rng, is_individual: np.ndarray) -> np.ndarray:
        """Shopkeepers bank on the phone; companies mostly through online banking."""
        company = _choose(rng, len(is_individual), {ONLINE: 0.55, MOBILE: 0.3, COUNTER: 0.15})
        shop = _choose(rng, len(is_individual), {MOBILE: 0.6, ONLINE: 0.25, COUNTER: 0.15})
        return np.where(is_individual, shop, company)


def _leg(*, firm, credit: bool, cents, ts, channel, name, account, primary: bool = False) -> Frame:
    n = len(firm)
    return {
        "firm": np.asarray(firm, dtype=np.int64),
        "credit": np.full(n, credit),
        "cents": np.asarray(cents, dtype=np.int64),
        "ts": np.asarray(ts, dtype="datetime64[s]"),
        "channel": np.asarray(channel, dtype=np.int64),
        "name": np.asarray(name, dtype=object),
        "counterparty_account": np.asarray(account, dtype=object),
        "primary": np.full(n, primary),
    }


def _choose(rng, n: int, shares: dict[int, float]) -> np.ndarray:
    codes = np.array(list(shares))
    return codes[rng.choice(len(codes), size=n, p=np.array(list(shares.values())) / sum(shares.values()))]


_ACQUIRER_ACCOUNTS = np.array([f"1100{i:02d}0000000{i + 1}" for i in range(len(vocab.ACQUIRERS))], dtype=object)
_REGION_TREASURY = np.array([r.treasury for r in vocab.REGIONS], dtype=object)
_REGION_TREASURY_ACCOUNT = np.array([r.treasury_account for r in vocab.REGIONS], dtype=object)
_REGION_POWER = np.array([r.power_company for r in vocab.REGIONS], dtype=object)
_REGION_POWER_ACCOUNT = np.array([r.power_account for r in vocab.REGIONS], dtype=object)
_REGION_WATER = np.array([r.water_company for r in vocab.REGIONS], dtype=object)
_REGION_WATER_ACCOUNT = np.array([r.water_account for r in vocab.REGIONS], dtype=object)
