"""Alerts through Airflow's SMTP and Slack notifiers, delivered to a real local SMTP server and HTTP receiver."""

from __future__ import annotations

import asyncio

import pytest

from sme_credit.orchestration import alerts
from tests.receivers import HttpReceiver, SmtpReceiver


@pytest.fixture
def receivers(monkeypatch):
    with SmtpReceiver() as smtp, HttpReceiver() as webhook:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp.connection())
        monkeypatch.setenv("AIRFLOW_CONN_SLACK_ALERTS", webhook.connection())
        monkeypatch.setenv("SME_ALERT_EMAIL_TO", "risk-ops@example.com, data-eng@example.com")
        monkeypatch.setenv("SME_ALERT_WEBHOOK_CONN_ID", "slack_alerts")
        yield smtp, webhook


def test_a_message_reaches_every_channel(receivers):
    smtp, webhook = receivers
    sent = alerts.send(alerts.Message("[sme-credit] test {{ not a template }}", "line 1\nline <2> & 3"))
    assert sent == 2
    (mail,) = smtp.mails
    assert mail.recipients == ["risk-ops@example.com", "data-eng@example.com"]
    assert mail.subject == "[sme-credit] test {{ not a template }}"  # sent as written, never rendered
    assert "line &lt;2&gt; &amp; 3" in mail.body  # the body is text, escaped into the HTML mail
    (post,) = webhook.posts
    assert post["path"] == "/hook"
    assert post["json"]["text"] == "*[sme-credit] test {{ not a template }}*\nline 1\nline <2> & 3"


def test_a_failed_task_names_the_task_the_run_the_error_and_the_log(receivers):
    smtp, webhook = receivers

    class TaskInstance:
        dag_id, task_id, run_id, try_number = "sme_credit_build", "validate_marts", "manual__x", 1
        log_url = "http://127.0.0.1:8080/dags/sme_credit_build/runs/manual__x/tasks/validate_marts"

    alerts.task_failed({"ti": TaskInstance(), "exception": ValueError("expect_column_values_to_not_be_null")})
    (mail,) = smtp.mails
    assert mail.subject.startswith("[sme-credit] FAILED sme_credit_build.validate_marts")
    assert "ValueError: expect_column_values_to_not_be_null" in mail.body and TaskInstance.log_url in mail.body
    assert "FAILED sme_credit_build.validate_marts" in webhook.posts[0]["json"]["text"]


def test_policy_warnings_and_a_missed_deadline_are_sent(receivers):
    smtp, webhook = receivers
    alerts.policy_warnings("tax", "2026-11-03", ["2 rows quarantined (0.4 % of 500; the policy allows 1 %)"])
    alerts.policy_warnings("court", "2026-11-03", [])  # nothing to say, nothing sent
    context = {"dag_run": {"logical_date": "2026-11-03T00:00:00Z"}, "deadline": {"deadline_time": "2026-11-03T10:00"}}
    asyncio.run(alerts.publication_missed(context=context))
    assert [mail.subject for mail in smtp.mails] == [
        "[sme-credit] WARNING tax delivery of 2026-11-03: 1 warning(s)",
        "[sme-credit] LATE: the candidates of 2026-11-03 are not published",
    ]
    assert "not published by 2026-11-03T10:00" in smtp.mails[1].body
    assert len(webhook.posts) == 2


def test_without_channels_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("SME_ALERT_EMAIL_TO", raising=False)
    monkeypatch.delenv("SME_ALERT_WEBHOOK_CONN_ID", raising=False)
    assert alerts.send(alerts.Message("s", "b")) == 0
