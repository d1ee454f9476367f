"""No style attribute in any page's markup, so the CSP refuses them all (`style-src-attr 'none'`,
no 'unsafe-inline' anywhere): templates use CSS classes, a width from data is `data-pct`."""

import re
from pathlib import Path

from labtrack.jobs.models import JobStatus
from tests.jobs.factories import JobFactory

ROOT = Path(__file__).resolve().parents[2]
STYLE_ATTRIBUTE = re.compile(r"""<[a-zA-Z][^<>]*\sstyle\s*=""")
# E-mail bodies are not served under the CSP, and mail programs ignore style sheets.
EMAIL_TEMPLATES = {"notify/email.html"}


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())


def test_no_template_carries_a_style_attribute():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        name = path.relative_to(ROOT / "templates").as_posix()
        if name in EMAIL_TEMPLATES:
            continue
        for match in STYLE_ATTRIBUTE.finditer(path.read_text(encoding="utf-8")):
            line = path.read_text(encoding="utf-8").count("\n", 0, match.start()) + 1
            offenders.append(f"{name}:{line}")
    assert offenders == []


def test_no_python_or_script_writes_a_style_attribute_into_markup():
    """HTML built in Python (inline SVG charts) or by a script's innerHTML is refused the same way."""
    pattern = re.compile(r"""\sstyle=\\?["']""")
    sources = [*(ROOT / "labtrack").rglob("*.py"), *(ROOT / "labtrack" / "static").rglob("*.js")]
    offenders = [
        str(path.relative_to(ROOT)) for path in sources if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_csp_allows_no_inline_style_or_script(client, auth):
    for signed_in in (False, True):
        if signed_in:
            auth.login()
        response = client.get("/" if signed_in else "/login")
        assert response.status_code == 200
        header = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header
        csp = _csp(response)
        assert csp["style-src-attr"] == "'none'"
        assert csp["style-src"].startswith("'self'") and "'nonce-" in csp["style-src"]
        assert STYLE_ATTRIBUTE.search(response.get_data(as_text=True)) is None


def test_a_progress_bar_carries_its_width_as_data(client, auth):
    user = auth.login()
    job = JobFactory(started_by=user, status=JobStatus.RUNNING, done=181, total=454)
    response = client.get(f"/jobs/{job.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-pct="39"' in html  # 100 * 181 // 454
    assert STYLE_ATTRIBUTE.search(html) is None
