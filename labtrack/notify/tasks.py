"""The notify area's place in the worker's schedule: the daily reminders and digests, and the
e-mail of those who chose to hear at once (every minute)."""

from datetime import date

from labtrack.jobs import schedule


@schedule.daily("send-reminders")
def daily_reminders(on: date) -> dict:
    """The day's reminders, then every recipient's e-mail (the daily digest)."""
    from labtrack.notify.delivery import deliver
    from labtrack.notify.reminders import send_reminders

    run = send_reminders(on)
    sent = deliver(digest=True)
    return {**run.as_dict(), "emails": sent.emails, "emailed": sent.notifications, "mail_failed": sent.failed}


@schedule.every_minute("deliver-mail")
def deliver_immediate() -> None:
    """E-mail what users who chose "immediately" have waiting (retries included)."""
    from labtrack.notify.delivery import deliver

    deliver(digest=False)
