"""Issue 8's house rules hold across the areas: only policy modules (and auth/) name a role; views
and API modules neither commit, roll back nor abort(404) (a NotFound from labtrack.services is
answered once, as a page or JSON); unknown export formats and public records answer 404."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "labtrack"


def _sources():
    return sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def _is_view_or_api(path: Path) -> bool:
    rel = path.relative_to(ROOT).as_posix()
    return (
        rel.startswith("api/")
        or path.name in ("views.py", "vendor.py")
        or re.search(r"(pages|_views)", path.name)
    )


def test_only_policy_modules_and_auth_name_a_role():
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _sources()
        if not p.relative_to(ROOT).as_posix().startswith("auth/") and p.name != "policy.py"
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if "Role." in line
    ]
    assert offenders == []


def test_views_and_api_modules_leave_transactions_and_404s_to_the_services():
    pattern = re.compile(r"db\.session\.(commit|rollback)\(\)|abort\(404\)")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _sources()
        if _is_view_or_api(p)
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_unknown_formats_and_records_answer_404_pages(client, auth):
    auth.login("quality")
    for path in ("/scope/export.pdf", "/scope/growth/export.pdf", "/reports/campaign?format=pdf"):
        assert client.get(path).status_code == 404, path
    assert client.get("/public/labs/NOPE").status_code == 404
