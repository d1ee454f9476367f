"""The records policy as tables of role x state x ownership (pure: no app, no database)."""

from types import SimpleNamespace as NS

import pytest

from labtrack.records import policy

HOME, OTHER = 1, 2
ACTORS = {
    "admin": NS(id=1, role="admin", lab_id=None),
    "quality": NS(id=2, role="quality", lab_id=None),
    "inspector": NS(id=3, role="inspector", lab_id=None),
    "viewer": NS(id=4, role="viewer", lab_id=None),
    "manager": NS(id=5, role="lab_manager", lab_id=HOME),
    "outsider": NS(id=6, role="lab_manager", lab_id=OTHER),
    "orphan": NS(id=7, role="lab_manager", lab_id=None),  # a lab manager without a lab
    "system": None,
}


def document(lab_id=HOME, status="effective", issued=True, pending=None):
    doc = NS(lab_id=lab_id, status=status, issued_on="2010-01-01" if issued else None, revisions=[])
    doc.pending_revision = pending
    return doc


def revision(lab_id=HOME, status="draft", author=5, effective_on=None, **doc):
    return NS(document=document(lab_id, **doc), status=status, author_id=author, effective_on=effective_on)


# --- documents: who sees them --------------------------------------------------------------------

SEES = [
    # actor, document's lab, issued, sees?
    ("admin", HOME, True, True),
    ("viewer", OTHER, False, True),
    ("inspector", None, False, True),
    ("manager", HOME, False, True),
    ("manager", OTHER, True, False),
    ("manager", None, True, True),  # the bureau's issued documents
    ("manager", None, False, False),  # the bureau's drafts
    ("orphan", HOME, True, False),
    ("orphan", None, True, True),
    ("system", OTHER, False, True),
]


@pytest.mark.parametrize("who, lab, issued, expected", SEES)
def test_who_sees_a_document(who, lab, issued, expected):
    assert policy.sees_document(ACTORS[who], document(lab, issued=issued)) is expected


@pytest.mark.parametrize(
    "who, lab, effective_on, expected",
    [
        ("manager", None, None, False),  # a draft of the bureau
        ("manager", None, "2010-03-01", True),  # an issued revision of the bureau
        ("manager", HOME, None, True),  # their own lab's draft
        ("outsider", HOME, "2010-03-01", False),
        ("viewer", None, None, True),
    ],
)
def test_who_sees_a_revision(who, lab, effective_on, expected):
    assert policy.sees_revision(ACTORS[who], revision(lab, effective_on=effective_on)) is expected


# --- documents: who keeps, approves, withdraws ---------------------------------------------------

KEEPS = {
    # actor: (own lab, other lab, bureau)
    "admin": (True, True, True),
    "quality": (True, True, True),
    "inspector": (False, False, False),
    "viewer": (False, False, False),
    "manager": (True, False, False),
    "outsider": (False, True, False),
    "orphan": (False, False, False),
    "system": (True, True, True),
}


@pytest.mark.parametrize("who", KEEPS)
def test_who_keeps_and_approves_documents(who):
    actor = ACTORS[who]
    assert tuple(policy.keeps(actor, lab) for lab in (HOME, OTHER, None)) == KEEPS[who]
    # In the grants, whoever drafts documents also approves them (a lab's managers approve theirs).
    assert tuple(policy.approves(actor, lab) for lab in (HOME, OTHER, None)) == KEEPS[who]


@pytest.mark.parametrize(
    "who, status, author, expected",
    [
        ("quality", "in_review", 5, True),
        ("manager", "in_review", 5, False),  # its author
        ("manager", "in_review", 99, True),  # a second manager's revision
        ("outsider", "in_review", 99, False),  # another lab's
        ("inspector", "in_review", 99, False),  # inspectors do not approve documents
        ("viewer", "in_review", 99, False),
        ("quality", "draft", 99, False),  # not sent for review
        ("quality", "effective", 99, False),
        ("admin", "in_review", 1, False),  # administrators are not above the rule
    ],
)
def test_a_revision_is_never_approved_by_its_author(who, status, author, expected):
    assert policy.may_approve(ACTORS[who], revision(HOME, status=status, author=author)) is expected


@pytest.mark.parametrize(
    "step, status, who, expected",
    [
        ("submit", "draft", "manager", True),
        ("submit", "in_review", "manager", False),
        ("submit", "draft", "inspector", False),
        ("return", "in_review", "quality", True),
        ("return", "in_review", "manager", True),  # the author takes it back
        ("return", "draft", "quality", False),
        ("discard", "draft", "manager", True),
        ("discard", "in_review", "quality", True),
        ("discard", "effective", "quality", False),
        ("discard", "superseded", "admin", False),
        ("approve", "in_review", "outsider", False),
        ("nonsense", "draft", "admin", False),
    ],
)
def test_revision_steps(step, status, who, expected):
    assert policy.may_take_step(ACTORS[who], revision(HOME, status=status), step) is expected


@pytest.mark.parametrize(
    "who, status, pending, start, withdraw, review",
    [
        ("manager", "effective", None, True, True, True),
        ("manager", "effective", "draft", False, True, True),  # one revision prepared at a time
        ("manager", "obsolete", None, False, False, False),  # withdrawn
        ("manager", "draft", None, True, False, False),  # not issued yet
        ("outsider", "effective", None, False, False, False),
        ("quality", "effective", None, True, True, True),
        ("viewer", "effective", None, False, False, False),
    ],
)
def test_document_actions(who, status, pending, start, withdraw, review):
    doc = document(HOME, status=status, pending=pending)
    actor = ACTORS[who]
    assert policy.may_start_revision(actor, doc) is start
    assert policy.may_withdraw(actor, doc) is withdraw
    assert policy.may_record_review(actor, doc) is review


def test_a_lab_manager_registers_documents_for_their_own_lab_only():
    manager = ACTORS["manager"]
    assert policy.default_lab(manager) == HOME
    assert policy.default_lab(ACTORS["quality"]) is None
    assert policy.may_create_document(manager, HOME)
    assert not policy.may_create_document(manager, OTHER)
    assert not policy.may_create_document(manager, None)


# --- complaints ------------------------------------------------------------------------------


def complaint(lab_id=HOME, status="investigated", outcome="substantiated", finding_id=None):
    return NS(lab_id=lab_id, status=status, outcome=outcome, finding_id=finding_id)


@pytest.mark.parametrize(
    "who, lab, sees, complainant, handles",
    [
        ("admin", OTHER, True, True, True),
        ("quality", OTHER, True, True, True),
        ("inspector", HOME, True, True, True),
        ("viewer", HOME, True, False, False),
        ("manager", HOME, True, False, False),  # their own lab's, without the complainant
        ("manager", OTHER, False, False, False),
        ("orphan", HOME, False, False, False),
    ],
)
def test_who_sees_and_handles_complaints(who, lab, sees, complainant, handles):
    actor, record = ACTORS[who], complaint(lab)
    assert policy.sees_complaint(actor, record) is sees
    assert policy.sees_complainant(actor) is complainant
    assert policy.may_handle(actor, record) is handles


@pytest.mark.parametrize(
    "who, status, outcome, finding_id, expected",
    [
        ("inspector", "investigated", "substantiated", None, True),
        ("admin", "answered", "partly_substantiated", None, True),
        ("quality", "investigated", "substantiated", None, False),  # quality does not raise findings
        ("inspector", "acknowledged", None, None, False),  # not investigated yet
        ("inspector", "investigated", "unsubstantiated", None, False),
        ("inspector", "answered", "outside_remit", None, False),
        ("inspector", "investigated", "substantiated", 12, False),  # raised already
        ("manager", "investigated", "substantiated", None, False),
        ("viewer", "investigated", "substantiated", None, False),
    ],
)
def test_who_raises_a_finding_from_a_complaint(who, status, outcome, finding_id, expected):
    record = complaint(HOME, status, outcome, finding_id)
    assert policy.may_raise_finding(ACTORS[who], record) is expected


# --- surveys and the documents of a finding ----------------------------------------------------


@pytest.mark.parametrize(
    "who, sees, manages",
    [
        ("admin", True, True),
        ("quality", True, True),
        ("inspector", True, False),
        ("viewer", True, False),
        ("manager", True, False),
        ("system", True, True),
    ],
)
def test_who_runs_surveys(who, sees, manages):
    assert policy.sees_surveys(ACTORS[who]) is sees
    assert policy.may_manage_surveys(ACTORS[who]) is manages


@pytest.mark.parametrize(
    "who, lab, status, sees, links",
    [
        ("manager", HOME, "plan_accepted", True, True),
        ("manager", HOME, "closed", True, False),  # fixed once the finding is closed
        ("manager", OTHER, "open", False, False),
        ("inspector", OTHER, "evidence_submitted", True, True),
        ("quality", HOME, "cancelled", True, False),
        ("viewer", HOME, "open", True, False),
        ("admin", HOME, "open", True, True),
    ],
)
def test_who_names_the_documents_of_a_rectification(who, lab, status, sees, links):
    finding = NS(lab_id=lab, status=status)
    assert policy.sees_finding_documents(ACTORS[who], finding) is sees
    assert policy.may_link_documents(ACTORS[who], finding) is links
