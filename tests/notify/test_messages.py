"""Every kind of notification reads well in English and in Chinese (rendered when shown)."""

import pytest
from flask_babel import force_locale

from labtrack.notify.messages import TEXTS, link, text

PARAMS = {
    "label": "FC-2010-003 #2",
    "lab": "SC-TC",
    "severity": "major",
    "due_on": "2010-06-30",
    "comment": "根本原因未分析",
    "round": "BS-2010-02",
    "title": "Lead in ceramics",
    "closes_on": "2010-06-04",
    "scheme": "CMA",
    "certificate": "CMA-2008-0042",
    "expires_on": "2010-08-30",
    "job": 7,
    "kind": "scope_import",
    "error": "Row 2: bad date",
    "document": "QM-01",
}
KINDS = [
    "finding_raised",
    "plan_submitted",
    "evidence_submitted",
    "plan_accepted",
    "plan_rejected",
    "evidence_rejected",
    "finding_closed",
    "finding_reopened",
    "deadline_extended",
    "finding_cancelled",
    "finding_due:10",
    "finding_due:0",
    "finding_overdue",
    "finding_escalated",
    "round_opened",
    "round_closing",
    "round_published",
    "certificate_expiring:30",
    "document_review_due:10",
    "job_done",
    "job_failed",
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_in_both_languages(app, kind):
    with app.test_request_context(), force_locale("en"):
        english = text(kind, {**PARAMS, "days": 10 if "due" in kind else 30})
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        chinese = text(kind, {**PARAMS, "days": 10 if "due" in kind else 30})
    assert english != kind and chinese != kind and english != chinese
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english.replace("根本原因未分析", ""))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.replace("根本原因未分析", ""))


@pytest.mark.parametrize(
    "kind, days, english, chinese",
    [
        (
            "finding_due:3",
            3,
            "Finding FC-2010-003 #2 at SC-TC is due in 3 days (2010-06-30).",
            "SC-TC 的问题 FC-2010-003 #2 将在 3 天后到期（2010-06-30）。",
        ),
        (
            "finding_due:1",
            1,
            "Finding FC-2010-003 #2 at SC-TC is due in 1 day (2010-06-30).",
            "SC-TC 的问题 FC-2010-003 #2 将在 1 天后到期（2010-06-30）。",
        ),
        (
            "finding_due:0",
            0,
            "Finding FC-2010-003 #2 at SC-TC is due today.",
            "SC-TC 的问题 FC-2010-003 #2 今天到期。",
        ),
        (
            "finding_escalated",
            14,
            "Escalated: finding FC-2010-003 #2 at SC-TC is 14 days overdue (due 2010-06-30).",
            "已升级督办：SC-TC 的问题 FC-2010-003 #2 已逾期 14 天（期限 2010-06-30）。",
        ),
    ],
)
def test_counts_agree_with_their_nouns(app, kind, days, english, chinese):
    with app.test_request_context(), force_locale("en"):
        assert text(kind, {**PARAMS, "days": days}) == english
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert text(kind, {**PARAMS, "days": days}) == chinese


def test_a_reason_is_shown_only_when_given(app):
    with app.test_request_context():
        assert (
            text("plan_rejected", {"label": "X #1"})
            == "The rectification plan for finding X #1 was rejected."
        )
        assert text("plan_rejected", {"label": "X #1", "comment": "No root cause."}).endswith(
            ": No root cause."
        )


def test_an_unknown_kind_or_broken_params_never_fail(app):
    with app.test_request_context():
        assert text("something_new", {}) == "something_new"
        assert text("finding_overdue", {"days": "many"}) == "finding_overdue"


def test_links_lead_to_the_record(app):
    with app.test_request_context():
        assert link("findings", 42, {}) == "/audits/findings/42"
        assert link("rounds", 3, {"round": "BS-2010-02"}) == "/rounds/BS-2010-02"
        assert link("qualifications", 9, {"lab": "SC-TC"}) == "/labs/SC-TC"
        assert link("jobs", 5, {}) == "/jobs/5"
        assert link("rounds", 3, {}) is None
        assert link(None, None, {}) is None
        app.config["LABTRACK_BASE_URL"] = "https://labtrack.example.cn/"
        assert link("jobs", 5, {}, external=True) == "https://labtrack.example.cn/jobs/5"


def test_every_kind_of_the_notify_area_is_rendered_by_this_test():
    from labtrack.notify import policy

    ours = policy.TO_LAB_MANAGERS | policy.TO_VERIFIERS | policy.TO_QUALITY | policy.TO_STARTER
    assert {k.split(":")[0] for k in KINDS} == ours and ours <= set(TEXTS)
