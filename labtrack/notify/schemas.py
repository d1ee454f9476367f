"""A notification as the API shows it (text in the caller's language)."""

from marshmallow import Schema, fields

from labtrack.api.fields import Timestamp


class NotificationSchema(Schema):
    """One notification, rendered."""

    id = fields.Integer()
    kind = fields.String()
    text = fields.String()
    url = fields.String(allow_none=True)
    record_table = fields.String(allow_none=True, data_key="record_type")
    record_id = fields.Integer(allow_none=True)
    created_at = Timestamp()
    read = fields.Boolean()
