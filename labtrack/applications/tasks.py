"""The applications area's daily work: clocks that became overdue are told to the accreditation
division once each (`flask labtrack application-clocks [--on DATE]` runs the same for cron)."""

from datetime import date

from labtrack.jobs import schedule


def notify_overdue(on: date) -> dict:
    """Tell the division of each clock overdue on `on` not told yet; one unit of work."""
    from labtrack import events
    from labtrack.applications.clocks import overdue_clocks
    from labtrack.services import transaction

    told = 0
    with transaction(None, "overdue clocks"):
        for clock in overdue_clocks(on):
            if clock.overdue_notified_on is not None:
                continue
            clock.overdue_notified_on = on
            events.application_changed.send(
                clock.application,
                actor=None,
                step="clock_overdue",
                comment=None,
                extra={"step": str(clock.step), "due_on": clock.due_on.isoformat()},
            )
            told += 1
    return {"overdue_clocks_told": told}


@schedule.daily("application-clocks")
def daily_clocks(on: date) -> dict:
    """Every day: overdue steps told to the division."""
    return notify_overdue(on)
