"""labtrack.parsing: every parser, its limits, and what it refuses (tables and properties)."""

import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labtrack import parsing
from labtrack.parsing import ParseError
from labtrack.services import InvalidInput

REFUSED = ParseError  # shorthand in the tables: the parser refuses the value

# Any text, lone surrogates and control characters included.
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60)


def run(parser, value, kwargs):
    """The parser's answer, or the ParseError class when it refuses."""
    try:
        return parser(value, **kwargs)
    except ParseError:
        return REFUSED


def case(parser, value, expected, **kwargs):
    return pytest.param(parser, value, kwargs, expected, id=f"{parser.__name__}({value!r:.40},{kwargs})")


TABLE = [
    # text: trimmed, NFC, control characters and lone surrogates refused, bounded
    case(parsing.text, "  hello  ", "hello"),
    case(parsing.text, "line one\nline two\r\n\tindented", "line one\nline two\r\n\tindented"),
    case(parsing.text, "e\u0301te\u0301", "été"),  # NFC: decomposed accents composed
    case(parsing.text, "x" * parsing.TEXT_MAX, "x" * parsing.TEXT_MAX),
    case(parsing.text, "x" * (parsing.TEXT_MAX + 1), REFUSED),
    case(parsing.text, "abc", REFUSED, max_len=2),
    case(parsing.text, "ab\x00c", REFUSED),
    case(parsing.text, "ab\x1bc", REFUSED),
    case(parsing.text, "ab\x7fc", REFUSED),
    case(parsing.text, "ab\x0cc", REFUSED),  # form feed
    case(parsing.text, "a\nb", REFUSED, multiline=False),
    case(parsing.text, "a\tb", REFUSED, multiline=False),
    case(parsing.text, "bad \udb0f text", REFUSED),
    case(parsing.text, "\ud83d", REFUSED),
    case(parsing.text, "😀 emoji is fine", "😀 emoji is fine"),
    case(parsing.text, "检测实验室", "检测实验室"),
    case(parsing.text, None, REFUSED),
    case(parsing.text, "", REFUSED),
    case(parsing.text, "   \n ", REFUSED),
    case(parsing.text, None, None, required=False),
    case(parsing.text, "  ", None, required=False),
    case(parsing.text, 42, REFUSED),
    case(parsing.text, ["a"], REFUSED),
    # name: one line, no markup
    case(parsing.name, " 四川省检测中心 ", "四川省检测中心"),
    case(parsing.name, "<script>", REFUSED),
    case(parsing.name, "a > b", REFUSED),
    case(parsing.name, "two\nlines", REFUSED),
    case(parsing.name, "n" * parsing.NAME_MAX, "n" * parsing.NAME_MAX),
    case(parsing.name, "n" * (parsing.NAME_MAX + 1), REFUSED),
    case(parsing.name, "$x^2$ mathtext is just text", "$x^2$ mathtext is just text"),
    # code: letters of any script and digits, - _ . / between them
    case(parsing.code, "SC-TC", "SC-TC"),
    case(parsing.code, "ÉX-1", "ÉX-1"),
    case(parsing.code, "检测-01", "检测-01"),
    case(parsing.code, "GB/T.3534_a", "GB/T.3534_a"),
    case(parsing.code, "a", "a"),
    case(parsing.code, " A1 ", "A1"),
    case(parsing.code, "ＳＣ－ＴＣ", "SC-TC"),  # full-width forms from an input method
    case(parsing.code, "-A", REFUSED),
    case(parsing.code, "A-", REFUSED),
    case(parsing.code, "_A", REFUSED),
    case(parsing.code, "A B", REFUSED),
    case(parsing.code, "A!B", REFUSED),
    case(parsing.code, "A\u200bB", REFUSED),  # zero-width space
    case(parsing.code, "c" * parsing.CODE_MAX, "c" * parsing.CODE_MAX),
    case(parsing.code, "c" * (parsing.CODE_MAX + 1), REFUSED),
    case(parsing.code, "㎏" * 20, REFUSED),  # 20 characters, 40 once folded
    case(parsing.code, "", REFUSED),
    case(parsing.code, "", None, required=False),
    # day: ISO dates within 1900-01-01 .. 2199-12-31
    case(parsing.day, "2010-05-10", date(2010, 5, 10)),
    case(parsing.day, " 2010-05-10 ", date(2010, 5, 10)),
    case(parsing.day, date(2010, 5, 10), date(2010, 5, 10)),
    case(parsing.day, datetime(2010, 5, 10, 23, 59), date(2010, 5, 10)),
    case(parsing.day, "1900-01-01", date(1900, 1, 1)),
    case(parsing.day, "2199-12-31", date(2199, 12, 31)),
    case(parsing.day, "1899-12-31", REFUSED),
    case(parsing.day, "2200-01-01", REFUSED),
    case(parsing.day, "0001-01-01", REFUSED),
    case(parsing.day, "9999-12-31", REFUSED),
    case(parsing.day, "+10000-01-01", REFUSED),
    case(parsing.day, "-0001-01-01", REFUSED),
    case(parsing.day, "2010-02-30", REFUSED),
    case(parsing.day, "2010-13-01", REFUSED),
    case(parsing.day, "10/05/2010", REFUSED),
    case(parsing.day, "yesterday", REFUSED),
    case(parsing.day, 20100510, REFUSED),
    case(parsing.day, "", REFUSED),
    case(parsing.day, "", None, required=False),
    case(parsing.day, "2010-05-10", REFUSED, earliest=date(2010, 6, 1)),
    case(parsing.day, "2010-05-10", REFUSED, latest=date(2010, 5, 9)),
    # year
    case(parsing.year, "2010", 2010),
    case(parsing.year, 1900, 1900),
    case(parsing.year, 2199, 2199),
    case(parsing.year, -1, REFUSED),
    case(parsing.year, 0, REFUSED),
    case(parsing.year, 1899, REFUSED),
    case(parsing.year, 10000, REFUSED),
    case(parsing.year, "2010.5", REFUSED),
    case(parsing.year, "", None, required=False),
    # integer: 0 .. 2^31-1 by default, never beyond what a BIGINT holds
    case(parsing.integer, "42", 42),
    case(parsing.integer, " +7 ", 7),
    case(parsing.integer, 3.0, 3),
    case(parsing.integer, "１２", 12),  # full-width digits
    case(parsing.integer, 0, 0),
    case(parsing.integer, -1, REFUSED),
    case(parsing.integer, "-5", -5, minimum=None),
    case(parsing.integer, parsing.COUNT_MAX, parsing.COUNT_MAX),
    case(parsing.integer, parsing.COUNT_MAX + 1, REFUSED),
    case(parsing.integer, 2**31 - 1, 2**31 - 1, maximum=parsing.INT_MAX),
    case(parsing.integer, 2**31, REFUSED, maximum=parsing.INT_MAX),  # PostgreSQL's INTEGER
    case(parsing.integer, 2**63, REFUSED, maximum=2**70),  # the database's limit still holds
    case(parsing.integer, -(2**31), -(2**31), minimum=None),
    case(parsing.integer, "99999999999999999999", REFUSED, maximum=parsing.INT_MAX),
    case(parsing.integer, "9" * 400, REFUSED),
    case(parsing.integer, 10**400, REFUSED),
    case(parsing.integer, 3.5, REFUSED),
    case(parsing.integer, float("inf"), REFUSED),
    case(parsing.integer, float("nan"), REFUSED),
    case(parsing.integer, 1e30, REFUSED),
    case(parsing.integer, "1e3", REFUSED),
    case(parsing.integer, "0x10", REFUSED),
    case(parsing.integer, "1_000", REFUSED),
    case(parsing.integer, True, REFUSED),
    case(parsing.integer, [1], REFUSED),
    case(parsing.integer, " ", REFUSED),
    case(parsing.integer, " ", None, required=False),
    case(parsing.integer, 5, REFUSED, minimum=6),
    case(parsing.integer, 5, REFUSED, maximum=4),
    # number: finite decimals, ',' or '.' as the decimal point
    case(parsing.number, "1.5", 1.5),
    case(parsing.number, "1,5", 1.5),
    case(parsing.number, " -0.25 ", -0.25),
    case(parsing.number, "1e-3", 0.001),
    case(parsing.number, 7, 7.0),
    case(parsing.number, Decimal("2.5"), 2.5),
    case(parsing.number, "1,000.5", REFUSED),
    case(parsing.number, "1,2,3", REFUSED),
    case(parsing.number, "nan", REFUSED),
    case(parsing.number, "NaN", REFUSED),
    case(parsing.number, "sNaN", REFUSED),
    case(parsing.number, "inf", REFUSED),
    case(parsing.number, "-Infinity", REFUSED),
    case(parsing.number, float("nan"), REFUSED),
    case(parsing.number, float("inf"), REFUSED),
    case(parsing.number, "1e400", REFUSED),  # overflows a float
    case(parsing.number, "abc", REFUSED),
    case(parsing.number, True, REFUSED),
    case(parsing.number, [1.0], REFUSED),
    case(parsing.number, "", REFUSED),
    case(parsing.number, "", None, required=False),
    case(parsing.number, "0", REFUSED, positive=True),
    case(parsing.number, "-1", REFUSED, positive=True),
    case(parsing.number, "0.1", 0.1, positive=True),
    case(parsing.number, "0.5", REFUSED, minimum=1),
    case(parsing.number, "11", REFUSED, maximum=10),
    case(parsing.number, "10", 10.0, minimum=0, maximum=10),
]


@pytest.mark.parametrize("parser, value, kwargs, expected", TABLE)
def test_parser_table(parser, value, kwargs, expected):
    assert run(parser, value, kwargs) == expected


@pytest.mark.parametrize(
    "value, allowed, expected",
    [
        ("open", ["open", "closed"], "open"),
        (" open ", ["open", "closed"], "open"),
        ("Open", ["open", "closed"], REFUSED),
        ("other", ["open", "closed"], REFUSED),
        (1, [1, 2], "1"),
        ("", ["open"], REFUSED),
        (None, ["open"], REFUSED),
    ],
)
def test_choice(value, allowed, expected):
    assert run(parsing.choice, value, {"allowed": allowed}) == expected
    assert parsing.choice("", allowed, required=False) is None


@pytest.mark.parametrize("value", [True, "1", "true", "TRUE", "yes", "Y", "on", "是", " yes "])
def test_boolean_true(value):
    assert parsing.boolean(value) is True


@pytest.mark.parametrize("value", [False, "0", "false", "No", "n", "off", "否"])
def test_boolean_false(value):
    assert parsing.boolean(value) is False


@pytest.mark.parametrize("value", ["maybe", "2", "真"])
def test_boolean_refuses_other_words(value):
    with pytest.raises(ParseError):
        parsing.boolean(value)


def test_boolean_blank_is_the_default():
    assert parsing.boolean("", default=True) is True
    assert parsing.boolean(None) is False


@pytest.mark.parametrize(
    "start, end, ok",
    [
        (date(2010, 1, 1), date(2010, 1, 2), True),
        (date(2010, 1, 1), date(2010, 1, 1), True),
        (date(2010, 1, 2), date(2010, 1, 1), False),
        (None, date(2010, 1, 1), True),
        (date(2010, 1, 1), None, True),
    ],
)
def test_date_range(start, end, ok):
    if ok:
        parsing.date_range(start, end)
    else:
        with pytest.raises(ParseError):
            parsing.date_range(start, end)


# --- code_key: the form of a code compared for uniqueness ---------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("ÉX-1", "éx-1"),  # beyond ASCII: SQLite's lower() misses this one
        ("E\u0301X-1", "ÉX-1"),  # decomposed and composed accents
        ("ＳＣ－ＴＣ", "sc-tc"),  # full-width forms
        ("STRASSE", "straße"),  # German sharp s
        ("ΣΟΦΙΑ", "σοφια"),  # Greek capital sigma
        ("ﬁle", "FILE"),  # ligature
        ("ǅ-1", "dž-1"),  # title-case digraph
        ("检测-01", "检测-01"),
    ],
)
def test_code_key_equivalences(a, b):
    assert parsing.code_key(a) == parsing.code_key(b)


@pytest.mark.parametrize("a, b", [("A1", "A-1"), ("A.1", "A/1"), ("Ä", "A"), ("检测", "检验")])
def test_code_key_keeps_different_codes_apart(a, b):
    assert parsing.code_key(a) != parsing.code_key(b)


@given(ANY_TEXT)
def test_code_key_is_the_same_for_canonically_equivalent_text(value):
    composed = unicodedata.normalize("NFC", value)
    decomposed = unicodedata.normalize("NFD", value)
    assert parsing.code_key(composed) == parsing.code_key(decomposed)


@given(st.text(max_size=40))
def test_code_key_is_idempotent(value):
    once = parsing.code_key(value)
    assert parsing.code_key(once) == once


# --- properties: any input gives a clean value or a ParseError, never another exception ---------


@given(ANY_TEXT)
def test_text_is_clean_or_refused(value):
    try:
        result = parsing.text(value, required=False)
    except ParseError:
        return
    if result is None:
        assert not value.strip()
        return
    assert result == result.strip() == unicodedata.normalize("NFC", result)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in result)
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in result)
    assert parsing.text(result) == result  # idempotent


@given(ANY_TEXT)
def test_names_and_codes_are_one_line_or_refused(value):
    for parser in (parsing.name, parsing.code):
        try:
            result = parser(value)
        except ParseError:
            continue
        assert "\n" not in result and "\r" not in result and len(result) <= parsing.NAME_MAX
        assert parser(result) == result


@given(st.one_of(ANY_TEXT, st.integers(), st.floats(), st.booleans(), st.none()))
def test_numbers_are_finite_or_refused(value):
    for parser in (parsing.integer, parsing.number):
        try:
            result = parser(value, required=False)
        except ParseError:
            continue
        if result is not None:
            assert result == result and abs(result) != float("inf")


@given(st.integers())
def test_integer_accepts_exactly_its_range(n):
    inside = 0 <= n <= parsing.COUNT_MAX
    assert run(parsing.integer, n, {}) == (n if inside else REFUSED)
    assert run(parsing.integer, str(n), {}) == (n if inside else REFUSED)


@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_integer_never_passes_a_database_key_limit(n):
    result = run(parsing.integer, n, {"minimum": None, "maximum": 2**80})
    assert result is REFUSED or -(2**70) <= result <= parsing.INT_MAX


@given(st.dates())
def test_day_round_trips_iso_text_within_its_range(d):
    inside = parsing.DATE_MIN <= d <= parsing.DATE_MAX
    assert run(parsing.day, d.isoformat(), {}) == (d if inside else REFUSED)


@given(ANY_TEXT)
def test_day_is_a_date_in_range_or_refused(value):
    result = run(parsing.day, value, {"required": False})
    assert result in (REFUSED, None) or parsing.DATE_MIN <= result <= parsing.DATE_MAX


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_reads_back_what_was_written(x):
    assert parsing.number(repr(x)) == x
    assert parsing.number(repr(x).replace(".", ",")) == x


# --- Fields: every field's error collected at once ----------------------------------------------


def test_fields_collects_every_error_and_raises_them_together(app):
    f = parsing.Fields({"title": "<b>", "year": "1800", "count": "3"})
    assert f.get("title", parsing.name) is None
    assert f.get("year", parsing.year) is None
    assert f.get("count", parsing.integer) == 3
    assert f.get("missing", parsing.text, required=False) is None
    f.add("count", "Too many for this audit.")
    with pytest.raises(InvalidInput) as caught:
        f.raise_if_any("Not saved.")
    assert caught.value.message == "Not saved."
    assert set(caught.value.errors) == {"title", "year", "count"}
    assert caught.value.errors["year"] == ["Must be between 1900 and 2199."]


def test_fields_without_errors_does_not_raise():
    f = parsing.Fields({"name": "Lab"})
    assert f.get("name", parsing.name) == "Lab"
    f.raise_if_any("Not saved.")
    assert f.errors == {}


def test_messages_are_translated_for_the_reader(app):
    from flask_babel import force_locale

    with pytest.raises(ParseError) as caught:
        parsing.text(None)
    with force_locale("en"):
        english = str(caught.value.message)
    with force_locale("zh_Hans_CN"):
        chinese = str(caught.value.message)
    assert english == "This field is required."
    assert chinese != english and any("\u4e00" <= c <= "\u9fff" for c in chinese)
