"""Who hears about the pipeline, and what they hear: a failed task, a feed's policy warnings, the day's candidates
not published in time, and a summary of every published day.

Messages go through Airflow's notifiers (the SMTP and Slack providers), to every channel configured, and only
by environment and connections (see `settings.alert_channels`):
- e-mail: `SME_ALERT_EMAIL_TO` (comma-separated recipients), through the connection `smtp_default`
  (`AIRFLOW_CONN_SMTP_DEFAULT`, e.g. `smtp://user:password@mail.example.com:587`);
- a webhook: `SME_ALERT_WEBHOOK_CONN_ID` names a Slack incoming-webhook connection (`slackwebhook`, its password
  the webhook URL), e.g. `AIRFLOW_CONN_SLACK_ALERTS='{"conn_type": "slackwebhook", "password": "https://..."}'`.
With neither set, nothing is sent and the run logs say so once per message.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sme_credit import settings

if TYPE_CHECKING:
    from airflow.sdk.bases.notifier import BaseNotifier

log = logging.getLogger(__name__)
SUBJECT_PREFIX = "[sme-credit]"


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def _notifiers(message: Message) -> list:
    """One provider notifier per configured channel, carrying the message."""
    channels = settings.alert_channels()
    notifiers: list[BaseNotifier] = []
    if channels.email_to:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        notifiers.append(
            SmtpNotifier(
                to=list(channels.email_to),
                subject=message.subject,
                html_content=f"<pre>{html.escape(message.body)}</pre>",
                smtp_conn_id=channels.smtp_conn_id,
            )
        )
    if channels.webhook_conn_id:
        from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

        notifiers.append(
            SlackWebhookNotifier(
                slack_webhook_conn_id=channels.webhook_conn_id, text=f"*{message.subject}*\n{message.body}"
            )
        )
    return notifiers


def send(message: Message, context=None) -> int:
    """Send the message on every configured channel; returns how many took it. A channel that fails is logged and
    does not stop the others (an alert must not fail the task it reports on)."""
    notifiers = _notifiers(message)
    if not notifiers:
        log.info(
            "no alert channel configured (SME_ALERT_EMAIL_TO, SME_ALERT_WEBHOOK_CONN_ID): not sent: %s", message.subject
        )
    sent = 0
    for notifier in notifiers:
        try:  # notify(), not the notifier's __call__: the message is text, not a Jinja template
            notifier.notify(context or {})
            sent += 1
        except Exception:  # noqa: BLE001 - report and go on with the next channel
            log.exception("could not send %r through %s", message.subject, type(notifier).__name__)
    return sent


async def send_async(message: Message, context=None) -> int:
    """`send`, for the triggerer (deadline callbacks run there)."""
    sent = 0
    for notifier in _notifiers(message):
        try:
            await notifier.async_notify(context or {})
            sent += 1
        except Exception:  # noqa: BLE001
            log.exception("could not send %r through %s", message.subject, type(notifier).__name__)
    return sent


def _run_date(context) -> str:
    """The run's logical date, else (a run triggered by Assets or by hand) the day it ran."""
    dag_run = context.get("dag_run")
    when = getattr(dag_run, "logical_date", None) or getattr(dag_run, "run_after", None)
    return when.date().isoformat() if when else "?"


def task_failed(context) -> None:
    """on_failure_callback of every task: which task of which run failed, why, and where its log is."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    error = context.get("exception")
    body = "\n".join(
        [
            f"DAG:       {dag_id}",
            f"task:      {task_id} (try {getattr(ti, 'try_number', '?')})",
            f"run:       {getattr(ti, 'run_id', '?')} (date {_run_date(context)})",
            f"error:     {type(error).__name__ if error else 'unknown'}: {error}",
            f"log:       {getattr(ti, 'log_url', '(no log URL)')}",
        ]
    )
    send(Message(f"{SUBJECT_PREFIX} FAILED {dag_id}.{task_id} ({_run_date(context)})", body), context)


def model_drift(day: str, alerts_found: list[str], context=None) -> None:
    """The model monitoring crossed var model_psi_alert on the day: say where."""
    if alerts_found:
        body = "\n".join(f"- {line}" for line in alerts_found)
        send(
            Message(f"{SUBJECT_PREFIX} WARNING model stability on {day}: {len(alerts_found)} PSI alert(s)", body),
            context,
        )


def policy_warnings(feed: str, day: str, warnings: list[str], context=None) -> None:
    """A feed's load went on under its policy's warn rules: say what was let through."""
    if warnings:
        body = "\n".join(f"- {warning}" for warning in warnings)
        send(Message(f"{SUBJECT_PREFIX} WARNING {feed} delivery of {day}: {len(warnings)} warning(s)", body), context)


async def publication_missed(context: dict | None = None, **_) -> None:
    """Deadline callback of the publication watch (run in the triggerer, with the run and the deadline as plain
    data): the day's candidates are not published yet."""
    context = context or {}
    day = str((context.get("dag_run") or {}).get("logical_date") or "?")[:10]
    due = (context.get("deadline") or {}).get("deadline_time", "?")
    body = (
        f"The pre-credit candidates of {day} were not published by {due} (UTC).\n"
        "Look at that day's sme_ingest run (a feed still waiting for its files, or a failed gate) and at "
        "sme_credit_build (the build after the raw gates)."
    )
    await send_async(Message(f"{SUBJECT_PREFIX} LATE: the candidates of {day} are not published", body), context)
