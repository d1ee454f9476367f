"""marshmallow fields that parse with `labtrack.parsing`: the API refuses what the forms refuse,
and the OpenAPI document states the same limits (lengths, ranges) that the parsers enforce."""

from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError, fields

from labtrack import parsing


class _Parsed(fields.Field):
    """A field whose value goes through one parser of `labtrack.parsing`."""

    parser: Any = None
    parser_kwargs: dict = {}

    def __init__(self, *args: Any, **kwargs: Any):
        self.parser_kwargs = {
            **self.parser_kwargs,
            **{k: kwargs.pop(k) for k in ("max_len", "multiline", "minimum", "maximum") if k in kwargs},
        }
        metadata = kwargs["metadata"] = dict(kwargs.get("metadata") or {})
        for key, value in self._documented_limits().items():
            metadata.setdefault(key, value)
        super().__init__(*args, **kwargs)

    def _documented_limits(self) -> dict[str, Any]:
        """The parser's limits as OpenAPI keywords (maxLength, minimum, maximum) for the document;
        the parser alone enforces them."""
        limits: dict[str, Any] = {}
        if self.parser_kwargs.get("max_len") is not None:
            limits["maxLength"] = self.parser_kwargs["max_len"]
        if self.parser_kwargs.get("minimum") is not None:
            limits["minimum"] = self.parser_kwargs["minimum"]
        if self.parser_kwargs.get("maximum") is not None:
            limits["maximum"] = self.parser_kwargs["maximum"]
        return limits

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return type(self).parser(value, required=True, **self.parser_kwargs)
        except parsing.ParseError as exc:
            raise ValidationError(str(exc.message)) from None


class Text(_Parsed, fields.String):
    """Multi-line text (descriptions, comments), trimmed, no control characters, bounded."""

    parser = staticmethod(parsing.text)
    parser_kwargs = {"max_len": parsing.TEXT_MAX}


class Name(_Parsed, fields.String):
    """A one-line name or title, no markup characters."""

    parser = staticmethod(parsing.name)
    parser_kwargs = {"max_len": parsing.NAME_MAX}


class Code(_Parsed, fields.String):
    """A code (letters and digits with - _ . /)."""

    parser = staticmethod(parsing.code)
    parser_kwargs = {"max_len": parsing.CODE_MAX}


class Day(_Parsed, fields.Date):
    """An ISO date between 1900-01-01 and 2199-12-31."""

    parser = staticmethod(parsing.day)


class Count(_Parsed, fields.Integer):
    """A whole number from 0 up to what a database column holds."""

    parser = staticmethod(parsing.integer)
    parser_kwargs = {"minimum": 0, "maximum": parsing.COUNT_MAX}


class Id(_Parsed, fields.Integer):
    """A record's id in a body or a query (1 up to the largest key a database holds)."""

    parser = staticmethod(parsing.integer)
    parser_kwargs = {"minimum": 1, "maximum": parsing.INT_MAX}


class Version(Count):
    """The version of a record last read, sent back with a change (a stale one is a conflict)."""


class Year(_Parsed, fields.Integer):
    """A year between 1900 and 2199 (`?year=-1` or `10000` is refused, not a server error)."""

    parser = staticmethod(parsing.integer)
    parser_kwargs = {"minimum": parsing.YEAR_MIN, "maximum": parsing.YEAR_MAX}


class Number(_Parsed, fields.Float):
    """A finite decimal number (optionally bounded with minimum= / maximum=)."""

    parser = staticmethod(parsing.number)


class Timestamp(fields.DateTime):
    """A moment, stored as naive UTC, written as RFC 3339 with its offset (`2010-05-10T08:30:00Z`),
    so it is the `date-time` the document declares; read back in any offset, kept as naive UTC."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed
