"""labtrack.api's shared pieces: fields that parse like the forms, the list envelope and pagination,
and an OpenAPI document that declares the error answers the API really gives."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, ValidationError
from sqlalchemy import select

from labtrack import parsing
from labtrack.api import fields as api_fields
from labtrack.api.common import (
    PAGE_MAX,
    PER_PAGE_MAX,
    PageArgs,
    conflict,
    list_schema,
    not_found,
    paginate,
    unprocessable,
)
from labtrack.labs.models import Lab
from labtrack.services import Conflict, InvalidInput, NotFound
from tests import factories as f


class Everything(Schema):
    text = api_fields.Text()
    name = api_fields.Name()
    short = api_fields.Name(max_len=5)
    code = api_fields.Code()
    day = api_fields.Day()
    count = api_fields.Count()
    ident = api_fields.Id()
    year = api_fields.Year()
    number = api_fields.Number(minimum=0)
    at = api_fields.Timestamp(allow_none=True)


# --- fields ----------------------------------------------------------------------------------------


def test_fields_load_clean_values(app):
    loaded = Everything().load(
        {
            "text": "  line one\nline two ",
            "name": " 四川省检测中心 ",
            "short": "abc",
            "code": "ＳＣ－ＴＣ",
            "day": "2010-05-10",
            "count": "12",
            "ident": 2**31 - 1,
            "year": 2010,
            "number": "1,5",
            "at": "2010-05-10T10:30:00+08:00",
        }
    )
    assert loaded == {
        "text": "line one\nline two",
        "name": "四川省检测中心",
        "short": "abc",
        "code": "SC-TC",
        "day": date(2010, 5, 10),
        "count": 12,
        "ident": 2**31 - 1,
        "year": 2010,
        "number": 1.5,
        "at": datetime(2010, 5, 10, 2, 30),  # naive UTC, as stored
    }


@pytest.mark.parametrize(
    "field, value",
    [
        ("text", "bad \x00 byte"),
        ("text", "x" * (parsing.TEXT_MAX + 1)),
        ("text", "   "),
        ("name", "a\nb"),
        ("name", "<i>"),
        ("short", "toolong"),
        ("code", "A B"),
        ("day", "2200-01-01"),
        ("day", "10000-01-01"),
        ("count", -1),
        ("count", 2**31),
        ("count", True),
        ("ident", 0),
        ("ident", 2**31),
        ("ident", 2**63),
        ("year", -1),
        ("year", 10000),
        ("number", "nan"),
        ("number", -0.5),
        ("number", "1e400"),
        ("at", "not a time"),
    ],
)
def test_fields_refuse_what_the_parsers_refuse_naming_the_field(app, field, value):
    with pytest.raises(ValidationError) as caught:
        Everything().load({field: value})
    assert list(caught.value.messages) == [field]


def test_timestamps_are_written_as_utc_with_an_offset(app):
    dumped = Everything().dump({"at": datetime(2010, 5, 10, 8, 30, 15)})
    assert dumped["at"] == "2010-05-10T08:30:15Z"
    beijing = timezone(timedelta(hours=8))
    assert (
        Everything().dump({"at": datetime(2010, 5, 10, 16, 30, tzinfo=beijing)})["at"]
        == "2010-05-10T08:30:00Z"
    )
    assert Everything().dump({"at": None})["at"] is None
    aware = datetime(2010, 5, 10, 8, 30, tzinfo=UTC)
    assert Everything().load({"at": Everything().dump({"at": aware})["at"]})["at"] == datetime(
        2010, 5, 10, 8, 30
    )


def test_the_document_states_the_parsers_limits(app):
    spec = APISpec("t", "1", "3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.schema("Everything", schema=Everything)
    props = spec.to_dict()["components"]["schemas"]["Everything"]["properties"]
    assert props["text"]["maxLength"] == parsing.TEXT_MAX
    assert props["name"]["maxLength"] == parsing.NAME_MAX
    assert props["short"]["maxLength"] == 5
    assert props["code"]["maxLength"] == parsing.CODE_MAX
    assert (props["count"]["minimum"], props["count"]["maximum"]) == (0, parsing.COUNT_MAX)
    assert (props["ident"]["minimum"], props["ident"]["maximum"]) == (1, parsing.INT_MAX)
    assert (props["year"]["minimum"], props["year"]["maximum"]) == (1900, 2199)
    assert props["number"]["minimum"] == 0
    assert props["at"]["format"] == "date-time" and props["at"]["nullable"] is True


def test_a_subclass_can_bring_its_own_parser_and_limits(app):
    class Upper(api_fields.Name):
        parser = staticmethod(lambda value, **kw: parsing.name(value, **kw).upper())
        parser_kwargs = {"max_len": 3}

    class S(Schema):
        v = Upper(metadata={"description": "kept"})

    assert S().load({"v": "abc"}) == {"v": "ABC"}
    with pytest.raises(ValidationError):
        S().load({"v": "abcd"})
    assert S._declared_fields["v"].metadata == {"description": "kept", "maxLength": 3}


# --- the list envelope and pagination ---------------------------------------------------------------


@pytest.mark.parametrize(
    "query, loaded",
    [
        ({}, {"page": 1, "per_page": 25}),
        ({"page": "3", "per_page": "10"}, {"page": 3, "per_page": 10}),
        (
            {"page": str(PAGE_MAX), "per_page": str(PER_PAGE_MAX)},
            {"page": PAGE_MAX, "per_page": PER_PAGE_MAX},
        ),
    ],
)
def test_page_arguments(query, loaded):
    assert PageArgs().load(query) == loaded


@pytest.mark.parametrize(
    "query",
    [
        {"page": "0"},
        {"page": "-1"},
        {"page": str(PAGE_MAX + 1)},
        {"page": "9" * 30},
        {"per_page": "0"},
        {"per_page": "501"},
    ],
)
def test_page_arguments_out_of_range_are_refused(query):
    with pytest.raises(ValidationError) as caught:
        PageArgs().load(query)
    assert list(caught.value.messages) == list(query)


def test_paginate_pages_through_and_counts_the_whole_list(app):
    for n in range(7):
        f.LabFactory(code=f"P-{n}")
    stmt = select(Lab).order_by(Lab.code)
    first = paginate(stmt, 1, 3)
    assert [lab.code for lab in first["items"]] == ["P-0", "P-1", "P-2"]
    assert first["meta"] == {"page": 1, "per_page": 3, "total": 7}
    assert [lab.code for lab in paginate(stmt, 3, 3)["items"]] == ["P-6"]
    assert paginate(stmt, 4, 3) == {"items": [], "meta": {"page": 4, "per_page": 3, "total": 7}}


def test_paginate_past_the_end_asks_the_database_no_impossible_offset(app):
    f.LabFactory()
    page = paginate(select(Lab), PAGE_MAX, PER_PAGE_MAX)
    assert page["items"] == [] and page["meta"]["total"] == 1


def test_the_list_envelope_dumps_items_and_meta(app):
    class Item(Schema):
        code = api_fields.Code()

    envelope = list_schema(Item, "ProbeList")()
    dumped = envelope.dump({"items": [{"code": "A"}], "meta": {"page": 1, "per_page": 25, "total": 1}})
    assert dumped == {"items": [{"code": "A"}], "meta": {"page": 1, "per_page": 25, "total": 1}}


def test_the_shortcuts_raise_the_domain_errors(app):
    with pytest.raises(NotFound, match="No such finding."):
        not_found("finding")
    with pytest.raises(InvalidInput) as caught:
        unprocessable({"to": ["Unknown state."]})
    assert caught.value.errors == {"to": ["Unknown state."]}
    with pytest.raises(Conflict):
        conflict("Stale.", {"version": ["Changed."]})


# --- the OpenAPI document ---------------------------------------------------------------------------


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_the_document_is_public_and_names_the_bearer_scheme(client, document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearerAuth": []}]


def test_every_operation_declares_the_refusals_it_can_meet(document):
    operations = list(_operations(document))
    assert len(operations) > 10
    for path, method, operation in operations:
        responses = operation["responses"]
        label = f"{method.upper()} {path}"
        assert "default" not in responses, label
        assert {"401", "403"} <= set(responses), label
        if "{" in path:
            assert "404" in responses, label
        if method != "get":
            assert "409" in responses, label
        if "requestBody" in operation:
            assert {"400", "422"} <= set(responses), label


def test_error_responses_have_the_one_error_shape(document):
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "status", "message", "errors"}
    assert "request_id" in error["properties"]
    for name in ("UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "UNPROCESSABLE_ENTITY"):
        response = document["components"]["responses"][name]
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        assert response["headers"]["X-Request-ID"] == {"$ref": "#/components/headers/RequestId"}


def test_ids_in_paths_are_bounded_like_the_database(document):
    for path, item in document["paths"].items():
        for parameter in item.get("parameters", []):
            if parameter["schema"].get("type") == "integer":
                assert parameter["schema"]["maximum"] == parsing.INT_MAX, path


def test_an_unauthenticated_call_answers_what_the_document_says(client, document):
    response = client.get("/api/v1/labs")
    assert response.status_code == 401
    assert set(response.json) == {"code", "status", "message", "errors"}
    assert response.headers["X-Request-ID"]
