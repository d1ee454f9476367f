"""A tour of the core areas (main, labs, scope, audits, comparisons, reports) on the demo, as each
role, in English and Chinese, on a desktop (1366 px) and a phone (390 px): no page scrolls
sideways, no table is wider than its card, and a screenshot of every page once per language and
width (and again for the roles that see a different page: the lab manager's, quality's dashboard).
"""

import os

import pytest
from sqlalchemy import select

from tests.conftest import SCREENSHOTS, browser_login

WIDTHS = {"desktop": 1366, "phone": 390}
LANGUAGES = ("en", "zh")
ROLES = ("admin", "quality", "inspector", "viewer", "manager-SC-TC")
# Pages whose content differs by role enough to be worth a screenshot of their own.
OWN_SHOTS = {
    "quality": {"home", "audits", "queue"},
    "manager-SC-TC": {"home", "lab", "audits", "findings", "rounds", "scope", "round", "finding"},
}
TALL = 9000  # px: taller pages are photographed from the top only (the check covers all of it)

LAYOUT = """() => {
  const width = window.innerWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push(`page ${document.documentElement.scrollWidth} px wide on a ${width} px screen`);
  }
  for (const table of document.querySelectorAll('main table')) {
    const card = table.closest('.card');
    const box = table.closest('.table-responsive') || table;
    if (card && box.getBoundingClientRect().right > card.getBoundingClientRect().right + 1) {
      problems.push(`table ${table.id || table.className} wider than its card`);
    }
    if (box.getBoundingClientRect().right > width + 1 && !box.closest('.table-responsive, .ts-wrapper')) {
      problems.push(`table ${table.id || table.className} beyond the screen`);
    }
  }
  return problems;
}"""


def _pages(code: str) -> dict[str, str]:
    """The core areas' pages, with real records of the demo for the pages that show one."""
    from labtrack.audits.models import Audit, Finding
    from labtrack.extensions import db
    from labtrack.labs.models import Lab
    from labtrack.proficiency.models import Round
    from labtrack.scope.models import ScopeEntry, TestItem

    lab_id = db.session.scalar(select(Lab.id).where(Lab.code == code))
    audit = db.session.scalar(select(Audit.id).where(Audit.lab_id == lab_id).order_by(Audit.id.desc()))
    finding = db.session.scalar(
        select(Finding.id).where(Finding.lab_id == lab_id).order_by(Finding.id.desc())
    )
    round_code = db.session.scalar(select(Round.code).order_by(Round.id).limit(1))
    item = db.session.scalar(select(TestItem.code).order_by(TestItem.id).limit(1))
    entry = db.session.scalar(select(ScopeEntry.id).where(ScopeEntry.lab_id == lab_id).limit(1))
    return {
        "home": "/",
        "labs": "/labs/",
        "lab": f"/labs/{code}",
        "lab-edit": f"/labs/{code}/edit",
        "scope": "/scope/",
        "catalogue": "/scope/catalogue",
        "item": f"/scope/items/{item}",
        "growth": "/scope/growth",
        "lab-scope": f"/scope/labs/{code}",
        "timeline": f"/scope/labs/{code}/timeline",
        "entry": f"/scope/labs/{code}/entries/{entry}",
        "audits": "/audits/",
        "findings": "/audits/findings",
        "queue": "/audits/queue",
        "figures": "/audits/figures",
        "audit-new": "/audits/new",
        "audit": f"/audits/{audit}",
        "audit-report": f"/audits/{audit}/report",
        "finding": f"/audits/findings/{finding}",
        "finding-new": f"/audits/{audit}/findings/new",
        "rounds": "/rounds/",
        "round": f"/rounds/{round_code}",
        "round-new": "/rounds/new",
        "coverage": "/rounds/coverage",
        "lab-rounds": f"/rounds/labs/{code}",
        "reports": "/reports/",
        "campaign": "/reports/campaign?from=2010-01-01&to=2010-12-31",
    }


def _findings_numbered_without_gaps() -> None:
    """Findings of each audit are numbered 1..n (the demo once numbered them 1, 3, 5)."""
    from sqlalchemy import func

    from labtrack.audits.models import Finding
    from labtrack.extensions import db

    rows = db.session.execute(
        select(Finding.audit_id, func.count(), func.max(Finding.number), func.min(Finding.number))
        .where(Finding.audit_id.is_not(None))
        .group_by(Finding.audit_id)
    ).all()
    assert rows and all((n, 1) == (top, low) for _, n, top, low in rows)


def _photograph(tab, name: str) -> None:
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, f"{name}.png")
    height = tab.evaluate("document.documentElement.scrollHeight")
    if height > TALL:
        width = tab.evaluate("window.innerWidth")
        tab.screenshot(path=path, full_page=True, clip={"x": 0, "y": 0, "width": width, "height": TALL})
    else:
        tab.screenshot(path=path, full_page=True)


def _switch_language(tab, live, language: str) -> None:
    """Switch the interface to `language` (remembered on the account) unless it is already."""
    tab.goto(live("/"))
    current = tab.evaluate("document.documentElement.lang")
    if current.startswith("zh") != (language == "zh"):
        with tab.expect_navigation():  # the switch posts a form (hidden in the phone's menu)
            tab.locator("#language-switch").evaluate("button => button.click()")
        tab.wait_for_load_state()


@pytest.mark.browser
def test_every_core_page_fits_the_screen_for_every_role_language_and_width(live_server, browser):
    from labtrack.demo import DEMO_PASSWORD, load_demo

    with live_server.app.app_context():
        load_demo()
        pages = _pages("SC-TC")
        _findings_numbered_without_gaps()
    problems: list[str] = []
    seen = 0
    for width_name, width in WIDTHS.items():
        context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
        context.set_default_timeout(90_000)
        tab = context.new_page()
        for role in ROLES:
            context.clear_cookies()
            browser_login(tab, live_server, role, DEMO_PASSWORD)
            for language in LANGUAGES:
                _switch_language(tab, live_server, language)
                for name, path in pages.items():
                    response = tab.goto(live_server(path))
                    if response.status in (403, 404):  # not this role's page
                        continue
                    assert response.status == 200, f"{role} {path}: {response.status}"
                    seen += 1
                    for problem in tab.evaluate(LAYOUT):
                        problems.append(f"{role} {language} {width} {path}: {problem}")
                    if role == "admin":
                        _photograph(tab, f"tour-{name}-{language}-{width_name}")
                    elif name in OWN_SHOTS.get(role, ()):
                        _photograph(tab, f"tour-{name}-{role}-{language}-{width_name}")
        context.close()
    assert not problems, "\n".join(problems)
    # Every role opened most of the pages (a tour that saw nothing would pass too easily).
    assert seen > len(pages) * len(WIDTHS) * len(LANGUAGES) * 3
