"""labtrack.web and labtrack.forms: a posted form through a service, field errors beside the fields,
uploads, and the Parse validator that makes a form refuse what a schema or an import refuses."""

import io
from datetime import date

import pytest
from flask import Blueprint, flash, render_template_string, request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from labtrack import parsing
from labtrack.auth.permissions import public
from labtrack.forms import Parse, apply_errors, plain_text
from labtrack.services import Conflict, InvalidInput
from labtrack.web import form_status, submit_form, uploads
from tests.conftest import fresh_app

PAGE = """{% for c, m in get_flashed_messages(with_categories=true) %}<flash {{ c }}>{{ m }}</flash>{% endfor %}
<name-errors>{{ form.name.errors|join('|') }}</name-errors><value>{{ form.name.data }}</value>"""


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Parse(parsing.name, max_len=20)])
    count = StringField("Count", validators=[Parse(parsing.integer, required=False)])


probe = Blueprint("webprobe", __name__)
CALLS: list = []


@probe.route("/probe/form", methods=["GET", "POST"])
@public
def form_view():
    """A view written the house way: submit_form, else render the form with its status."""
    form = NameForm()
    outcome = request.args.get("outcome", "ok")

    def action():
        CALLS.append((form.name.data, form.count.data))
        if outcome == "invalid":
            raise InvalidInput("Not saved.", {"name": ["Already taken."], "colour": ["Not a field here."]})
        if outcome == "elsewhere":  # refused on something the form has no field for (a file to attach)
            raise InvalidInput("Attach the file first.", {"file": ["Required."]})
        if outcome == "bare":
            raise InvalidInput("Not now.")
        if outcome == "conflict":
            raise Conflict("Changed meanwhile.")
        return form.name.data.upper()

    done = submit_form(
        form, action, success=lambda result: f"Saved {result}.", to=lambda result: f"/done/{result}"
    )
    if done:
        return done
    return render_template_string(PAGE, form=form), form_status(form)


@probe.route("/probe/plain", methods=["POST"])
@public
def plain_view():
    """success and to given as plain values; no flash when success is None."""
    form = NameForm()
    done = submit_form(form, lambda: None, success=request.args.get("say"), to="/labs/")
    return done or ("refused", form_status(form))


@probe.route("/probe/upload", methods=["POST"])
@public
def upload_view():
    return {"files": [[name, len(data)] for name, data in uploads()], "other": len(uploads("other"))}


@pytest.fixture
def app(database_url, tmp_path):
    with fresh_app(database_url, tmp_path) as application:
        application.register_blueprint(probe)
        CALLS.clear()
        yield application


def flashes(client):
    with client.session_transaction() as session:
        return session.get("_flashes", [])


# --- submit_form -----------------------------------------------------------------------------------


def test_a_valid_form_runs_the_service_flashes_and_redirects_303(client):
    response = client.post("/probe/form", data={"name": "  Chengdu lab ", "count": "12"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/done/CHENGDU%20LAB"
    assert CALLS == [("Chengdu lab", 12)]  # the service got the parsed values
    assert flashes(client) == [("success", "Saved CHENGDU LAB.")]


def test_a_get_shows_the_form_without_calling_the_service(client):
    response = client.get("/probe/form")
    assert response.status_code == 200 and CALLS == []


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "<b>bold</b>"}, "The characters < and > are not allowed here."),
        ({"name": "x" * 21}, "At most 20 characters."),
        ({"name": "ok", "count": "many"}, None),
    ],
)
def test_an_invalid_form_is_shown_again_with_422_and_the_service_is_not_called(client, data, message):
    response = client.post("/probe/form", data=data)
    assert response.status_code == 422
    assert CALLS == []
    page = response.get_data(as_text=True)
    if message:
        assert message.replace("<", "&lt;").replace(">", "&gt;") in page


def test_the_services_field_errors_go_beside_the_fields_and_the_rest_is_flashed(client):
    response = client.post("/probe/form?outcome=invalid", data={"name": "Taken name"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<name-errors>Already taken.</name-errors>" in page
    assert "<value>Taken name</value>" in page  # what the user typed is kept
    assert "<flash danger>Not saved. Not a field here.</flash>" in page


@pytest.mark.parametrize(
    "outcome, said", [("elsewhere", "Attach the file first. Required."), ("bare", "Not now.")]
)
def test_a_refusal_on_no_field_of_the_form_still_answers_422_with_the_message(client, outcome, said):
    response = client.post(f"/probe/form?outcome={outcome}", data={"name": "A name"})
    assert response.status_code == 422  # tools and tests read the status: the form was not saved
    page = response.get_data(as_text=True)
    assert f"<flash danger>{said}</flash>" in page
    assert "<value>A name</value>" in page  # what was typed is kept


def test_other_refusals_go_to_the_error_handlers(client):
    response = client.post(
        "/probe/form?outcome=conflict",
        data={"name": "Someone"},
        headers={"Referer": "http://localhost.localdomain/probe/form"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "http://localhost.localdomain/probe/form"
    assert flashes(client) == [("danger", "Changed meanwhile.")]


def test_success_and_target_may_be_plain_values(client):
    response = client.post("/probe/plain?say=Done.", data={"name": "x"})
    assert response.status_code == 303 and response.headers["Location"] == "/labs/"
    assert flashes(client) == [("success", "Done.")]


def test_no_success_message_means_no_flash(client):
    response = client.post("/probe/plain", data={"name": "x"})
    assert response.status_code == 303 and flashes(client) == []


def test_form_status_is_200_for_a_get_even_with_errors(app):
    with app.test_request_context("/", method="GET"):
        form = NameForm()
        form.name.errors = ["x"]
        assert form_status(form) == 200
    with app.test_request_context("/", method="POST", data={}):
        form = NameForm()
        assert form_status(form) == 200
        form.validate()
        assert form_status(form) == 422


# --- uploads -------------------------------------------------------------------------------------


def test_uploads_reads_every_named_file_and_skips_empty_inputs(client):
    response = client.post(
        "/probe/upload",
        data={
            "files": [
                (io.BytesIO(b"%PDF-1.4 a"), "a.pdf"),
                (io.BytesIO(b"12345"), "b.txt"),
                (io.BytesIO(b""), ""),  # an empty file input
            ],
            "other": [(io.BytesIO(b"x"), "c.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.json == {"files": [["a.pdf", 10], ["b.txt", 5]], "other": 1}


# --- forms: Parse, plain_text, apply_errors ------------------------------------------------------


@pytest.mark.parametrize(
    "parser, kwargs, raw, clean",
    [
        (parsing.name, {}, "  Leshan  ", "Leshan"),
        (parsing.code, {}, "ＳＣ－ＴＣ", "SC-TC"),
        (parsing.day, {}, "2010-05-10", date(2010, 5, 10)),
        (parsing.integer, {"required": False}, "", None),
        (parsing.number, {}, "1,5", 1.5),
        (parsing.year, {}, "2010", 2010),
    ],
)
def test_parse_keeps_the_clean_value(app, parser, kwargs, raw, clean):
    class Form(FlaskForm):
        value = StringField(validators=[Parse(parser, **kwargs)])

    with app.test_request_context("/", method="POST", data={"value": raw}):
        form = Form()
        assert form.validate(), form.errors
        assert form.value.data == clean


@pytest.mark.parametrize(
    "parser, kwargs, raw, message",
    [
        (parsing.name, {"max_len": 5}, "too long", "At most 5 characters."),
        (parsing.code, {}, "A B", "Use letters and digits"),
        (parsing.day, {}, "2200-01-01", "between 1900-01-01 and 2199-12-31"),
        (parsing.integer, {}, "-3", "Must be between 0 and"),
        (parsing.year, {}, "10000", "Must be between 1900 and 2199."),
        (parsing.text, {}, "bad\x00", "Control characters are not allowed."),
    ],
)
def test_parse_refuses_with_the_parsers_message(app, parser, kwargs, raw, message):
    class Form(FlaskForm):
        value = StringField(validators=[Parse(parser, **kwargs)])

    with app.test_request_context("/", method="POST", data={"value": raw}):
        form = Form()
        assert not form.validate()
        assert message in form.value.errors[0]


def test_parse_messages_follow_the_readers_language(app):
    class Form(FlaskForm):
        value = StringField(validators=[Parse(parsing.year)])

    with app.test_request_context(
        "/", method="POST", data={"value": "1800"}, headers={"Accept-Language": "zh-CN"}
    ):
        form = Form()
        form.validate()
        assert any("\u4e00" <= c <= "\u9fff" for c in form.value.errors[0])


def test_plain_text_refuses_control_characters(app):
    class Form(FlaskForm):
        note = StringField(validators=[plain_text])

    with app.test_request_context("/", method="POST", data={"note": "a\x07b"}):
        form = Form()
        assert not form.validate() and form.note.errors == ["Control characters are not allowed."]
    with app.test_request_context("/", method="POST", data={"note": "line\nbreaks\tare fine"}):
        assert Form().validate()


def test_apply_errors_puts_messages_on_fields_and_flashes_the_rest(app):
    with app.test_request_context("/", method="POST", data={"name": "x"}):
        form = NameForm()
        form.validate()
        flash("earlier", "info")
        apply_errors(
            form, InvalidInput("Not saved.", {"name": ["Taken.", "Reserved."], "zone": "Unknown zone."})
        )
        assert form.name.errors == ["Taken.", "Reserved."]
        from flask import get_flashed_messages

        assert get_flashed_messages(with_categories=True) == [
            ("info", "earlier"),
            ("danger", "Not saved. Unknown zone."),
        ]
