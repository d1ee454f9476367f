"""marshmallow fields that parse with `labtrack.parsing`: the API refuses what the forms refuse."""

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
        super().__init__(*args, **kwargs)

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
