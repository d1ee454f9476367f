"""A lab's people and their posts, training sessions and attendances, exams and their results,
authorisations, and the links to findings and comparison results.

Dates are calendar days and both ends are inclusive: a person employed to 2010-06-30 worked that
day; an authorisation valid to 2012-12-31 covers that day.
"""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from labtrack.extensions import db
from labtrack.history.tracking import Tracked
from labtrack.models_base import utcnow
from labtrack.parsing import code_key


class Post(StrEnum):
    """What a person does at their lab (a person may hold several posts)."""

    HEAD = "head"
    TECHNICAL_DIRECTOR = "technical_director"
    QUALITY_MANAGER = "quality_manager"
    SIGNATORY = "authorised_signatory"
    ANALYST = "analyst"
    SAMPLER = "sampler"
    INTERNAL_AUDITOR = "internal_auditor"
    OTHER = "other"


POST_LABELS = {
    Post.HEAD: _l("Head of laboratory"),
    Post.TECHNICAL_DIRECTOR: _l("Technical director"),
    Post.QUALITY_MANAGER: _l("Quality manager"),
    Post.SIGNATORY: _l("Authorised signatory"),
    Post.ANALYST: _l("Analyst"),
    Post.SAMPLER: _l("Sampler"),
    Post.INTERNAL_AUDITOR: _l("Internal auditor"),
    Post.OTHER: _l("Other post"),
}
# The technical staff: who sits the theory exams unless an exam says otherwise.
TECHNICAL_POSTS = (Post.TECHNICAL_DIRECTOR, Post.SIGNATORY, Post.ANALYST, Post.SAMPLER)


class Organiser(StrEnum):
    """Who ran a training session."""

    PROVINCIAL = "provincial_bureau"
    PREFECTURE = "prefecture_bureau"
    LAB = "lab"
    CNAS = "cnas"
    OTHER = "other"


ORGANISER_LABELS = {
    Organiser.PROVINCIAL: _l("Provincial bureau"),
    Organiser.PREFECTURE: _l("Prefecture bureau"),
    Organiser.LAB: _l("The laboratory itself"),
    Organiser.CNAS: _l("CNAS"),
    Organiser.OTHER: _l("Other organiser"),
}


class ExamKind(StrEnum):
    """Theory and practical exams, quizzes, and skills contests (whose parts are exams too)."""

    THEORY = "theory"
    PRACTICAL = "practical"
    QUIZ = "quiz"
    CONTEST = "skills_contest"


EXAM_KIND_LABELS = {
    ExamKind.THEORY: _l("Theory exam"),
    ExamKind.PRACTICAL: _l("Practical exam"),
    ExamKind.QUIZ: _l("Quiz"),
    ExamKind.CONTEST: _l("Skills contest"),
}


class Sitting(StrEnum):
    """Whether a person required to sit an exam sat it."""

    PENDING = "pending"
    SAT = "sat"
    ABSENT = "absent"


SITTING_LABELS = {
    Sitting.PENDING: _l("No result yet"),
    Sitting.SAT: _l("Sat"),
    Sitting.ABSENT: _l("Absent"),
}


class Activity(StrEnum):
    """What an authorisation allows."""

    PERFORM = "perform"
    SIGN = "sign"


ACTIVITY_LABELS = {Activity.PERFORM: _l("Perform tests"), Activity.SIGN: _l("Sign reports")}


class AuthBasis(StrEnum):
    """Why a person was authorised."""

    TRAINING = "training"
    EXAM = "exam"
    PT_RESULT = "pt_result"
    EXPERIENCE = "experience"


AUTH_BASIS_LABELS = {
    AuthBasis.TRAINING: _l("Training"),
    AuthBasis.EXAM: _l("Exam"),
    AuthBasis.PT_RESULT: _l("Proficiency-testing result"),
    AuthBasis.EXPERIENCE: _l("Experience"),
}


class AuthStatus(StrEnum):
    """An authorisation in force, suspended (it may be reinstated) or withdrawn (for good)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


AUTH_STATUS_LABELS = {
    AuthStatus.ACTIVE: _l("In force"),
    AuthStatus.SUSPENDED: _l("Suspended"),
    AuthStatus.WITHDRAWN: _l("Withdrawn"),
}


def _staff_key_default(context) -> str | None:
    """The staff number's key for inserts that bypass the ORM (imports, the demo, benchmarks)."""
    value = context.get_current_parameters().get("staff_no")
    return code_key(value) if value is not None else None


class Person(Tracked, db.Model):
    """Someone who works (or worked) at a lab, known there by their staff number."""

    __tablename__ = "persons"
    __history_exclude__ = ("staff_key", "created_at", "updated_at")
    __table_args__ = (
        UniqueConstraint("lab_id", "staff_key", name="uq_persons_lab_staff"),
        CheckConstraint("employed_to IS NULL OR employed_to >= employed_from", name="left_after_joining"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    staff_no: Mapped[str] = mapped_column(String(32))
    # The staff number as compared for uniqueness within the lab (NFKC, case-folded).
    staff_key: Mapped[str] = mapped_column(String(64), default=_staff_key_default)
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str | None] = mapped_column(String(120))  # professional title (职称)
    employed_from: Mapped[date]
    employed_to: Mapped[date | None]
    leave_reason: Mapped[str | None] = mapped_column(String(2000))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lab: Mapped["Lab"] = relationship()  # noqa: F821
    user: Mapped["User | None"] = relationship()  # noqa: F821
    posts: Mapped[list["PersonPost"]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonPost.post"
    )

    @validates("staff_no")
    def _keep_staff_key(self, _key: str, value: str) -> str:
        self.staff_key = code_key(value) if value is not None else None
        return value

    @property
    def post_codes(self) -> list[str]:
        """The person's posts, in a fixed order."""
        order = {p.value: i for i, p in enumerate(Post)}
        return sorted((p.post for p in self.posts), key=lambda p: order.get(p, 99))

    def employed_on(self, day: date) -> bool:
        """Whether the person worked at the lab on this day."""
        return self.employed_from <= day and (self.employed_to is None or self.employed_to >= day)

    def __repr__(self) -> str:
        return f"<Person {self.staff_no} of lab {self.lab_id}>"


def employed_on(day: date) -> ColumnElement[bool]:
    """The condition "this person worked at the lab on `day`" (both ends inclusive)."""
    return and_(Person.employed_from <= day, or_(Person.employed_to.is_(None), Person.employed_to >= day))


class PersonPost(Tracked, db.Model):
    """One post a person holds."""

    __tablename__ = "person_posts"
    __table_args__ = (
        UniqueConstraint("person_id", "post", name="uq_person_posts_person_post"),
        Index("ix_person_posts_post_person", "post", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    post: Mapped[Post] = mapped_column(String(30))

    person: Mapped[Person] = relationship(back_populates="posts")


class TrainingSession(Tracked, db.Model):
    """A course, lecture or drill: who organised it, when, how many hours; attendees are persons,
    and people from outside the labs of the system are counted without names."""

    __story_day__ = "starts_on"

    __history_exclude__ = ("created_at", "updated_at")  # the history row has its own time
    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("external_attendees >= 0", name="external_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(200))
    organiser: Mapped[Organiser] = mapped_column(String(20))
    organiser_lab_id: Mapped[int | None] = mapped_column(ForeignKey("labs.id"), index=True)
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date]
    hours: Mapped[float]  # per attendee (study hours, 学时)
    place: Mapped[str | None] = mapped_column(String(120))
    external_attendees: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organiser_lab: Mapped["Lab | None"] = relationship()  # noqa: F821

    @property
    def organiser_label(self) -> str:
        """The organiser in the user's language."""
        return str(ORGANISER_LABELS.get(self.organiser, self.organiser))


class Attendance(Tracked, db.Model):
    """A person attended a session (one attendance, 人次); `hours` when they attended only part."""

    __story_day__ = "session.starts_on"

    __history_exclude__ = ("created_at",)  # the history row has its own time
    __tablename__ = "training_attendances"
    __table_args__ = (
        UniqueConstraint("session_id", "person_id", name="uq_training_attendances_session_person"),
        # Reports read attendances by session and a person's record by person; with the hours in
        # the index neither reads the table (covering).
        Index("ix_training_attendances_session_cover", "session_id", "person_id", "hours"),
        Index("ix_training_attendances_person_session", "person_id", "session_id", "hours"),
        CheckConstraint("hours IS NULL OR hours > 0", name="hours_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    hours: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[TrainingSession] = relationship()
    person: Mapped[Person] = relationship()


class Exam(Tracked, db.Model):
    """An exam on a day with a pass mark; who must sit it is given by labs and posts (and named
    entrants). A skills contest is an exam whose parts (written test, bench work, quiz) are exams."""

    __story_day__ = "held_on"

    __history_exclude__ = ("created_at", "updated_at")  # the history row has its own time
    __tablename__ = "exams"
    __table_args__ = (CheckConstraint("pass_mark >= 0 AND pass_mark <= 100", name="pass_mark_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ExamKind] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(index=True)
    pass_mark: Mapped[float] = mapped_column(default=60.0)
    all_labs: Mapped[bool] = mapped_column(default=True)
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contest: Mapped["Exam | None"] = relationship(remote_side="Exam.id", back_populates="parts")
    parts: Mapped[list["Exam"]] = relationship(back_populates="contest", order_by="Exam.id")
    labs: Mapped[list["ExamLab"]] = relationship(back_populates="exam", cascade="all, delete-orphan")
    posts: Mapped[list["ExamPost"]] = relationship(back_populates="exam", cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        """The kind in the user's language."""
        return str(EXAM_KIND_LABELS.get(self.kind, self.kind))

    @property
    def is_contest(self) -> bool:
        """A skills contest: a container of parts, with no results of its own."""
        return self.kind == ExamKind.CONTEST

    @property
    def post_codes(self) -> list[str]:
        """The posts required to sit, in a fixed order."""
        order = {p.value: i for i, p in enumerate(Post)}
        return sorted((p.post for p in self.posts), key=lambda p: order.get(p, 99))


class ExamLab(Tracked, db.Model):
    """A lab whose staff (of the exam's posts) must sit the exam, when not all labs must."""

    __story_day__ = "exam.held_on"

    __tablename__ = "exam_labs"
    __table_args__ = (UniqueConstraint("exam_id", "lab_id", name="uq_exam_labs_exam_lab"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)

    exam: Mapped[Exam] = relationship(back_populates="labs")
    lab: Mapped["Lab"] = relationship()  # noqa: F821


class ExamPost(Tracked, db.Model):
    """A post whose holders must sit the exam."""

    __story_day__ = "exam.held_on"

    __tablename__ = "exam_posts"
    __table_args__ = (UniqueConstraint("exam_id", "post", name="uq_exam_posts_exam_post"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    post: Mapped[Post] = mapped_column(String(30))

    exam: Mapped[Exam] = relationship(back_populates="posts")


class ExamResult(Tracked, db.Model):
    """One person required to sit an exam (by lab and post, or entered by name) and how they did.
    Passed = sat with a score at or above the exam's pass mark (computed, so a changed pass mark
    applies to every result)."""

    __story_day__ = "exam.held_on"

    __tablename__ = "exam_results"
    __table_args__ = (
        UniqueConstraint("exam_id", "person_id", name="uq_exam_results_exam_person"),
        Index("ix_exam_results_person", "person_id"),
        # Participation and pass rates read only this index (covering).
        Index("ix_exam_results_exam_cover", "exam_id", "person_id", "status", "score"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    named: Mapped[bool] = mapped_column(default=False)  # entered by name, not by lab and post
    status: Mapped[Sitting] = mapped_column(String(10), default=Sitting.PENDING)
    score: Mapped[float | None]
    recorded_at: Mapped[datetime | None]

    exam: Mapped[Exam] = relationship()
    person: Mapped[Person] = relationship()

    @property
    def passed(self) -> bool | None:
        """Sat and reached the pass mark (None while no result is recorded)."""
        if self.status != Sitting.SAT or self.score is None:
            return None if self.status == Sitting.PENDING else False
        return self.score >= self.exam.pass_mark

    @property
    def status_label(self) -> str:
        """Sat, absent or pending, in the user's language."""
        return str(SITTING_LABELS.get(self.status, self.status))


class Authorisation(Tracked, db.Model):
    """A person may perform tests of (or sign reports for) an item or a whole category, from a day
    to a day (open-ended when `valid_to` is empty), unless suspended or withdrawn since `status_on`."""

    __story_day__ = "valid_from"

    __history_exclude__ = ("created_at", "updated_at")  # the history row has its own time
    __tablename__ = "authorisations"
    __table_args__ = (
        CheckConstraint("(item_id IS NULL) <> (category_id IS NULL)", name="item_or_category"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_to_after_from"),
        Index("ix_authorisations_person", "person_id", "activity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("test_items.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("test_categories.id"), index=True)
    activity: Mapped[Activity] = mapped_column(String(10))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    basis: Mapped[AuthBasis] = mapped_column(String(20))
    basis_note: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[AuthStatus] = mapped_column(String(12), default=AuthStatus.ACTIVE)
    status_on: Mapped[date | None]  # the day it was suspended or withdrawn
    status_reason: Mapped[str | None] = mapped_column(String(2000))
    # The item (or category) was not in the lab's scope when it was granted and the user said so.
    outside_scope: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()
    item: Mapped["TestItem | None"] = relationship()  # noqa: F821
    category: Mapped["TestCategory | None"] = relationship()  # noqa: F821

    def in_force_on(self, day: date) -> bool:
        """Whether the authorisation covers this day (dates and status)."""
        if self.valid_from > day or (self.valid_to is not None and self.valid_to < day):
            return False
        return self.status == AuthStatus.ACTIVE or (self.status_on is not None and self.status_on > day)

    @property
    def activity_label(self) -> str:
        """Perform or sign, in the user's language."""
        return str(ACTIVITY_LABELS.get(self.activity, self.activity))

    @property
    def basis_label(self) -> str:
        """The basis in the user's language."""
        return str(AUTH_BASIS_LABELS.get(self.basis, self.basis))

    @property
    def status_label(self) -> str:
        """The status in the user's language."""
        return str(AUTH_STATUS_LABELS.get(self.status, self.status))


class FindingPerson(Tracked, db.Model):
    """A person concerned by a finding (area "personnel and training")."""

    __tablename__ = "finding_persons"
    __table_args__ = (UniqueConstraint("finding_id", "person_id", name="uq_finding_persons_finding_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)

    person: Mapped[Person] = relationship()


class ResultAnalyst(Tracked, db.Model):
    """The analyst who produced a lab's comparison result."""

    __tablename__ = "result_analysts"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("round_results.id", ondelete="CASCADE"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)

    person: Mapped[Person] = relationship()
