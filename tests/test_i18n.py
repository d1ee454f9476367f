"""Both languages: every string the code and templates use has a Chinese translation."""

import importlib.util
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("i18n", ROOT / "scripts" / "i18n.py")
i18n = importlib.util.module_from_spec(spec)
spec.loader.exec_module(i18n)


@pytest.mark.parametrize("area", list(i18n.AREAS))
def test_every_string_is_translated(area, tmp_path):
    assert i18n.missing(area, tmp_path) == []


def test_catalogues_have_no_broken_placeholders():
    """A translation keeps the %(name)s placeholders of its msgid (else formatting raises)."""
    import re

    from babel.messages.pofile import read_po

    pattern = re.compile(r"%\((\w+)\)[sd]")
    for area in i18n.AREAS:
        po = i18n.catalogue_dir(area) / i18n.LOCALE / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        with po.open("rb") as f:
            for m in read_po(f):
                if m.id and m.string and isinstance(m.id, str):
                    assert set(pattern.findall(m.id)) == set(pattern.findall(m.string)), (area, m.id)


def test_chinese_is_served(app, client, auth):
    auth.login("admin")
    client.post("/language/zh_Hans_CN")
    with force_locale("zh_Hans_CN"):
        expected = gettext("Laboratories")
    assert expected != "Laboratories"
    assert expected in client.get("/labs/").get_data(as_text=True)


def test_browser_language_is_the_default(app, client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert 'lang="zh-CN"' in page.get_data(as_text=True)
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in page.get_data(as_text=True)


def test_no_word_is_translated_two_ways():
    """The catalogues are merged at run time: one msgid, one translation, or one area's wins silently."""
    from babel.messages.pofile import read_po

    seen: dict[str, dict[str, str]] = {}
    for area in i18n.AREAS:
        po = i18n.catalogue_dir(area) / i18n.LOCALE / "LC_MESSAGES" / "messages.po"
        if po.exists():
            with po.open("rb") as f:
                for m in read_po(f):
                    if m.id and m.string and isinstance(m.id, str):
                        seen.setdefault(m.id, {})[area] = m.string
    conflicts = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    assert conflicts == {}
