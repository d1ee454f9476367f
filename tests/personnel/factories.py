"""factory_boy factories for the personnel models (same conventions as tests/factories.py: every
factory commits; SubFactory links build what a record needs).

    person = PersonFactory(lab=lab, posts=["analyst"])          # an analyst of that lab since 2005
    session = TrainingSessionFactory(hours=4)                     # a provincial session on 2010-03-15
    AttendanceFactory(session=session, person=person)
    exam = ExamFactory(held_on=date(2010, 5, 20))                 # a theory exam, pass mark 60
    ExamResultFactory(exam=exam, person=person, sat=True, score=75)
    AuthorisationFactory(person=person, item=item)                # to perform, from 2009-01-01
"""

from datetime import date

import factory

from labtrack.extensions import db
from labtrack.personnel.models import (
    Activity,
    Attendance,
    AuthBasis,
    Authorisation,
    AuthStatus,
    Exam,
    ExamKind,
    ExamLab,
    ExamPost,
    ExamResult,
    FindingPerson,
    Organiser,
    Person,
    PersonPost,
    ResultAnalyst,
    Sitting,
    TrainingSession,
)
from tests.factories import BaseFactory, FindingFactory, LabFactory, ResultFactory, TestItemFactory


class PersonFactory(BaseFactory):
    """A person of a lab, working there since 2005-03-01; `posts=[...]` lists their posts (analyst)."""

    class Meta:
        model = Person

    lab = factory.SubFactory(LabFactory)
    staff_no = factory.Sequence(lambda n: f"S{n:05d}")
    name = factory.Sequence(lambda n: f"张{n}")
    title = "工程师"
    employed_from = date(2005, 3, 1)
    employed_to = None

    @factory.post_generation
    def posts(obj, create, extracted, **kwargs):
        for post in extracted if extracted is not None else ("analyst",):
            obj.posts.append(PersonPost(post=post))
        if create:
            db.session.commit()


class PersonPostFactory(BaseFactory):
    """One more post of a person."""

    class Meta:
        model = PersonPost

    person = factory.SubFactory(PersonFactory, posts=())
    post = "sampler"


class TrainingSessionFactory(BaseFactory):
    """A one-day, 4-hour session of the provincial bureau on 2010-03-15, no external attendees."""

    class Meta:
        model = TrainingSession

    title = factory.Sequence(lambda n: f"ISO/IEC 17025 course {n}")
    topic = "ISO/IEC 17025:2005"
    organiser = Organiser.PROVINCIAL
    organiser_lab = None
    starts_on = date(2010, 3, 15)
    ends_on = factory.SelfAttribute("starts_on")
    hours = 4.0
    place = "Chengdu"
    external_attendees = 0


class AttendanceFactory(BaseFactory):
    """A person at a session (the session's hours)."""

    class Meta:
        model = Attendance

    session = factory.SubFactory(TrainingSessionFactory)
    person = factory.SubFactory(PersonFactory)
    hours = None


class ExamFactory(BaseFactory):
    """A theory exam of every lab's technical staff on 2010-05-20, pass mark 60 (no list yet:
    add ExamResultFactory rows, or call exams.refresh_candidates)."""

    class Meta:
        model = Exam

    title = factory.Sequence(lambda n: f"Theory exam {n}")
    kind = ExamKind.THEORY
    held_on = date(2010, 5, 20)
    pass_mark = 60.0
    all_labs = True
    contest = None


class ExamLabFactory(BaseFactory):
    """A lab whose staff must sit an exam."""

    class Meta:
        model = ExamLab

    exam = factory.SubFactory(ExamFactory, all_labs=False)
    lab = factory.SubFactory(LabFactory)


class ExamPostFactory(BaseFactory):
    """A post whose holders must sit an exam."""

    class Meta:
        model = ExamPost

    exam = factory.SubFactory(ExamFactory)
    post = "analyst"


class ExamResultFactory(BaseFactory):
    """A person on an exam's list, pending; `sat=True, score=..` or `absent=True` records a result."""

    class Meta:
        model = ExamResult

    class Params:
        sat = factory.Trait(status=Sitting.SAT, score=80.0)
        absent = factory.Trait(status=Sitting.ABSENT, score=None)

    exam = factory.SubFactory(ExamFactory)
    person = factory.SubFactory(PersonFactory)
    named = False
    status = Sitting.PENDING
    score = None


class AuthorisationFactory(BaseFactory):
    """An authorisation to perform tests of an item, from 2009-01-01, open-ended, on training."""

    class Meta:
        model = Authorisation

    person = factory.SubFactory(PersonFactory)
    item = factory.SubFactory(TestItemFactory)
    category = None
    activity = Activity.PERFORM
    valid_from = date(2009, 1, 1)
    valid_to = None
    basis = AuthBasis.TRAINING
    status = AuthStatus.ACTIVE


class FindingPersonFactory(BaseFactory):
    """A person named in a finding of their lab."""

    class Meta:
        model = FindingPerson

    finding = factory.SubFactory(FindingFactory, area="personnel_training")
    finding_id = factory.SelfAttribute("finding.id")
    person = factory.SubFactory(PersonFactory, lab=factory.SelfAttribute("..finding.lab"))

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        kwargs.pop("finding", None)
        return kwargs


class ResultAnalystFactory(BaseFactory):
    """The analyst of a comparison result, a person of the result's lab."""

    class Meta:
        model = ResultAnalyst

    result = factory.SubFactory(ResultFactory)
    result_id = factory.SelfAttribute("result.id")
    person = factory.SubFactory(PersonFactory, lab=factory.SelfAttribute("..result.lab"))

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        kwargs.pop("result", None)
        return kwargs
