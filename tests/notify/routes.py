"""URL arguments of the notification pages: the signed-in user's own notifications first."""

from sqlalchemy import select

from labtrack.extensions import db


def candidates(user, home: int | None) -> dict[str, list[str]]:
    from labtrack.notify.models import Notification

    if user is None:
        return {}
    own = db.session.scalars(
        select(Notification.id).where(Notification.recipient_id == user.id).order_by(Notification.id).limit(1)
    ).all()
    other = db.session.scalars(
        select(Notification.id).where(Notification.recipient_id != user.id).order_by(Notification.id).limit(1)
    ).all()
    return {"notification_id": [*own, *other]} if own else {}  # nothing of one's own: nothing to open
