"""What happens when monitors fail: the log always; optionally a webhook, a file, an e-mail.

Each action takes the run's report (a dict) and runs in a worker thread, never on the reactor.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage
from pathlib import Path

logger = logging.getLogger(__name__)


def summary_text(report: dict) -> str:
    monitors = report.get("monitors", [])
    failed = [m for m in monitors if m.get("level", "pass" if m.get("ok") else "fail") == "fail"]
    warned = [m for m in monitors if m.get("level") == "warn"]
    if report.get("message"):  # the site never answered
        return f"newscrawl: crawl of {report['spider']} FAILED: {report['message']}"
    verdict = "FAILED" if failed else "passed"
    counts = report.get("counts", {})
    what = f"{counts['lines']} ticker lines" if "lines" in counts else f"{report['articles']} articles"
    head = (f"newscrawl: crawl of {report['spider']}{' on ' + report['site'] if report.get('site') else ''} "
            f"{verdict} its monitors ({what}, finish reason {report['finish_reason']}"
            f"{f', {len(warned)} warning(s)' if warned else ''})")
    return "\n".join([head, *(f"- {m['message']}" for m in failed), *(f"- warning: {m['message']}" for m in warned)])


def log_action(report: dict) -> None:
    monitors = report.get("monitors", [])
    if any(not m["ok"] for m in monitors):
        logger.error(summary_text(report))
    elif any(m.get("level") == "warn" for m in monitors):
        logger.warning(summary_text(report))
    else:
        logger.info(summary_text(report))


def webhook_action(url: str, timeout: float = 10.0):
    """POST a Slack-compatible JSON body ({"text": ..., "report": ...}) to ``url``."""

    def post(report: dict) -> None:
        body = json.dumps({"text": summary_text(report), "report": report}, default=str).encode()
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()

    return post


def file_action(path: str):
    """Append the report as one JSON line to ``path``."""

    def append(report: dict) -> None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(report, default=str) + "\n")

    return append


def email_action(host: str, port: int, sender: str, recipients: list[str], username: str = "",
                 password: str = ""):
    def send(report: dict) -> None:
        message = EmailMessage()
        message["Subject"] = summary_text(report).splitlines()[0]
        message["From"], message["To"] = sender, ", ".join(recipients)
        message.set_content(summary_text(report))
        with smtplib.SMTP(host, port, timeout=15) as smtp:
            if username:
                smtp.starttls()
                smtp.login(username, password)
            smtp.send_message(message)

    return send


def actions_from_settings(settings) -> list:
    """The configured actions besides the log: NEWSCRAWL_ALERT_WEBHOOK, _FILE, _EMAIL_* (secrets from env)."""
    actions = []
    if settings.get("NEWSCRAWL_ALERT_WEBHOOK"):
        actions.append(webhook_action(settings["NEWSCRAWL_ALERT_WEBHOOK"]))
    if settings.get("NEWSCRAWL_ALERT_FILE"):
        actions.append(file_action(settings["NEWSCRAWL_ALERT_FILE"]))
    if settings.get("NEWSCRAWL_ALERT_EMAIL_TO"):
        actions.append(email_action(
            settings.get("NEWSCRAWL_ALERT_SMTP_HOST", "127.0.0.1"), settings.getint("NEWSCRAWL_ALERT_SMTP_PORT", 25),
            settings.get("NEWSCRAWL_ALERT_EMAIL_FROM", "newscrawl@localhost"),
            settings.getlist("NEWSCRAWL_ALERT_EMAIL_TO"), settings.get("NEWSCRAWL_ALERT_SMTP_USER", ""),
            settings.get("NEWSCRAWL_ALERT_SMTP_PASSWORD", "")))
    return actions
