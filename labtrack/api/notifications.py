"""The caller's own notifications in the JSON API: the list (`?unread=1`) and mark-as-read."""

from flask import jsonify
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from labtrack.api.common import PageArgs, list_schema, paginate
from labtrack.auth.permissions import Perm, require
from labtrack.notify import service
from labtrack.notify.schemas import NotificationSchema

blp = Blueprint("notifications_api", __name__, url_prefix="/api/v1", description="Notifications")

NotificationListSchema = list_schema(NotificationSchema, "NotificationList")


class NotificationArgs(PageArgs):
    """`?unread=1` for the unread ones only."""

    unread = fields.Boolean(load_default=False)


@blp.route("/notifications")
@require(Perm.JOBS_VIEW)
@blp.arguments(NotificationArgs, location="query")
@blp.response(200, NotificationListSchema)
def list_notifications(args):
    """The caller's notifications, newest first, in their language."""
    envelope = paginate(
        service.notifications_query(current_user, unread=args["unread"]), args["page"], args["per_page"]
    )
    envelope["items"] = NotificationSchema(many=True).dump([service.shown(n) for n in envelope["items"]])
    return jsonify(envelope)


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@require(Perm.JOBS_VIEW)
@blp.response(200, NotificationSchema)
def read_notification(notification_id):
    """Mark one of the caller's notifications read (404 for anyone else's)."""
    return jsonify(NotificationSchema().dump(service.shown(service.mark_read(current_user, notification_id))))
