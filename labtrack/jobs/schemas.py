"""A job as the API and the job page show it: DESIGN's shape exactly."""

from marshmallow import Schema, fields

from labtrack.jobs import service


class ProgressSchema(Schema):
    """How far a job has got."""

    done = fields.Integer()
    total = fields.Integer(allow_none=True)


class JobSchema(Schema):
    """`{"id", "kind", "status", "progress": {"done", "total"}, "result", "error"}`."""

    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    progress = fields.Function(service.progress, metadata={"type": "object"})
    result = fields.Raw(allow_none=True)
    error = fields.String(allow_none=True)
