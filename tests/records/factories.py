"""factory_boy factories for the records area's models (see tests/factories.py for the conventions).

doc = DocumentFactory(lab=lab)                                  # a draft document of a lab
rev = RevisionFactory(document=doc, status="in_review", author=manager)
current = RevisionFactory(effective=True)                        # a document in force with it
survey = SurveyFactory()                                        # 100 copies of a 2-question questionnaire
complaint = ComplaintFactory(lab=lab, investigated=True, outcome="substantiated")
"""

import hashlib
from datetime import date, datetime

import factory

from labtrack.records import files
from labtrack.records.models import (
    Audience,
    Channel,
    Choice,
    Complaint,
    Document,
    DocumentKind,
    DocumentRevision,
    FindingDocument,
    Question,
    QuestionKind,
    Questionnaire,
    ResponseSource,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)
from labtrack.records.values import add_months
from labtrack.records.workflow import ComplaintStatus, DocumentStatus, RevisionStatus
from tests.factories import BaseFactory, FindingFactory, LabFactory, UserFactory

PDF = b"%PDF-1.4\n% a controlled document\n%%EOF\n"


class DocumentFactory(BaseFactory):
    """A procedure of a new lab, not issued yet (pass lab=None for the bureau's)."""

    class Meta:
        model = Document

    lab = factory.SubFactory(LabFactory)
    kind = DocumentKind.PROCEDURE
    subject = "management"
    code = factory.Sequence(lambda n: f"QP-{n:03d}")
    code_key = factory.LazyAttribute(lambda o: f"{o.lab.id if o.lab else 'bureau'}/{o.code.casefold()}")
    title = factory.Sequence(lambda n: f"程序文件 {n}")
    title_en = factory.Sequence(lambda n: f"Procedure {n}")
    status = DocumentStatus.DRAFT
    review_interval_months = 12


class RevisionFactory(BaseFactory):
    """A draft revision with a PDF file; `effective=True` makes it (and its document) in force."""

    class Meta:
        model = DocumentRevision

    class Params:
        effective = factory.Trait(
            status=RevisionStatus.EFFECTIVE,
            effective_on=date(2010, 3, 1),
            approved_at=datetime(2010, 2, 25, 10, 0),
            approved_by=factory.SubFactory(UserFactory, role="quality"),
            first_issue=True,
        )

    content = PDF  # not a column: written to the store on create
    document = factory.SubFactory(DocumentFactory)
    number = factory.LazyAttribute(lambda o: len(o.document.revisions) + 1)
    label = factory.LazyAttribute(lambda o: f"R{o.number}")
    status = RevisionStatus.DRAFT
    author = factory.SubFactory(UserFactory, role="lab_manager", lab=factory.SelfAttribute("..document.lab"))
    file_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    filename = factory.Sequence(lambda n: f"document-{n}.pdf")
    file_size = factory.LazyAttribute(lambda o: len(o.content))
    file_kind = "pdf"
    content_type = "application/pdf"

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        kwargs.pop("content", None)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        content = kwargs.pop("content")
        path = files.path_for(kwargs["file_sha256"]) if kwargs.get("file_sha256") else None
        if path is not None and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        revision = super()._create(model_class, *args, **kwargs)
        if revision.status == RevisionStatus.EFFECTIVE:  # its document is in force with it
            document = revision.document
            document.status = DocumentStatus.EFFECTIVE
            document.issued_on = document.issued_on or revision.effective_on
            document.review_due_on = add_months(revision.effective_on, document.review_interval_months)
            cls._meta.sqlalchemy_session_factory().commit()
        return revision


class FindingDocumentFactory(BaseFactory):
    """A revision named by a finding of the same lab."""

    class Meta:
        model = FindingDocument

    revision = factory.SubFactory(RevisionFactory)
    finding_id = factory.LazyAttribute(lambda o: FindingFactory(audit__lab=o.revision.document.lab).id)


class QuestionnaireFactory(BaseFactory):
    """A questionnaire (add questions with QuestionFactory)."""

    class Meta:
        model = Questionnaire

    code = factory.Sequence(lambda n: f"SQ-{n:03d}")
    code_key = factory.LazyAttribute(lambda o: o.code.casefold())
    title = factory.Sequence(lambda n: f"问卷 {n}")
    title_en = factory.Sequence(lambda n: f"Questionnaire {n}")


class QuestionFactory(BaseFactory):
    """A question on a 1-5 scale."""

    class Meta:
        model = Question

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    position = factory.LazyAttribute(lambda o: len(o.questionnaire.questions) + 1)
    key = factory.LazyAttribute(lambda o: f"Q{o.position}")
    kind = QuestionKind.SCALE
    text_zh = "满意程度"
    text_en = "How satisfied are you?"
    scale_min = 1
    scale_max = 5


class ChoiceFactory(BaseFactory):
    """A choice of a choice question."""

    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, kind=QuestionKind.CHOICE, scale_min=None, scale_max=None)
    position = factory.LazyAttribute(lambda o: len(o.question.choices) + 1)
    value = factory.LazyAttribute(lambda o: "abcdefghij"[o.position - 1])
    label_zh = factory.Sequence(lambda n: f"选项{n}")
    label_en = factory.Sequence(lambda n: f"Option {n}")


def questionnaire_with_questions() -> Questionnaire:
    """Q1 on a 1-5 scale, Q2 with the choices y (是 / Yes) and n (否 / No)."""
    questionnaire = QuestionnaireFactory()
    QuestionFactory(questionnaire=questionnaire, key="Q1")
    q2 = QuestionFactory(
        questionnaire=questionnaire,
        key="Q2",
        kind=QuestionKind.CHOICE,
        scale_min=None,
        scale_max=None,
        text_zh="是否知道投诉热线",
        text_en="Do you know the hotline?",
    )
    ChoiceFactory(question=q2, value="y", label_zh="是", label_en="Yes")
    ChoiceFactory(question=q2, value="n", label_zh="否", label_en="No")
    return questionnaire


class SurveyFactory(BaseFactory):
    """100 copies of a two-question questionnaire, issued inside the system on 2010-06-15."""

    class Meta:
        model = Survey

    code = factory.Sequence(lambda n: f"SV-{n:03d}")
    code_key = factory.LazyAttribute(lambda o: o.code.casefold())
    title = factory.Sequence(lambda n: f"Survey {n}")
    questionnaire = factory.LazyFunction(questionnaire_with_questions)
    audience = Audience.INSIDE
    issued_on = date(2010, 6, 15)
    copies_issued = 100


class ResponseFactory(BaseFactory):
    """A returned questionnaire (add answers with AnswerFactory)."""

    class Meta:
        model = SurveyResponse

    survey_id = factory.LazyAttribute(lambda o: SurveyFactory().id)
    sheet = factory.Sequence(lambda n: f"S-{n:04d}")
    returned_on = date(2010, 7, 1)
    source = ResponseSource.ENTERED


class AnswerFactory(BaseFactory):
    """An answer of 4 to a scale question."""

    class Meta:
        model = SurveyAnswer

    response_id = factory.LazyAttribute(lambda o: ResponseFactory().id)
    question_id = factory.LazyAttribute(lambda o: QuestionFactory().id)
    value = 4


class ComplaintFactory(BaseFactory):
    """A hotline complaint about a new lab received on 2010-05-04 (traits: acknowledged,
    investigated, answered)."""

    class Meta:
        model = Complaint

    class Params:
        acknowledged = factory.Trait(status=ComplaintStatus.ACKNOWLEDGED, acknowledged_on=date(2010, 5, 5))
        investigated = factory.Trait(
            status=ComplaintStatus.INVESTIGATED,
            acknowledged_on=date(2010, 5, 5),
            investigated_on=date(2010, 5, 14),
            investigation="Checked the raw records on site.",
            outcome="substantiated",
        )
        answered = factory.Trait(
            status=ComplaintStatus.ANSWERED,
            acknowledged_on=date(2010, 5, 5),
            investigated_on=date(2010, 5, 14),
            investigation="Checked the raw records on site.",
            outcome="unsubstantiated",
            feedback_on=date(2010, 5, 18),
            feedback="Told by telephone.",
        )

    reference = factory.Sequence(lambda n: f"CP-2010-{n + 1:03d}")
    channel = Channel.HOTLINE
    lab = factory.SubFactory(LabFactory)
    received_on = date(2010, 5, 4)
    complainant_name = "王先生"
    complainant_contact = "138 0000 0000"
    subject = "The report differs from a re-test"
    description = "Another lab found a different result on the same batch."
    status = ComplaintStatus.RECEIVED
