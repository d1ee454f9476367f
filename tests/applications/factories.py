"""factory_boy factories of the applications area's models (applications, their items, team, clocks,
steps, finding links; the working calendar)."""

from datetime import date

import factory

from labtrack.applications.models import (
    Application,
    ApplicationItem,
    ApplicationStep,
    Assessor,
    CalendarDay,
    CalendarYear,
    Clock,
    FindingItem,
)
from labtrack.applications.values import DayKind, Kind, Status, Step
from labtrack.audits.models import AuditKind
from labtrack.auth.permissions import Role
from labtrack.parsing import code_key
from tests.factories import AuditFactory, BaseFactory, FindingFactory, LabFactory, UserFactory


class ApplicationFactory(BaseFactory):
    """A draft extension application of a new lab (QA-2010-NNN)."""

    class Meta:
        model = Application

    lab = factory.SubFactory(LabFactory)
    reference = factory.Sequence(lambda n: f"QA-2010-{n + 1:03d}")
    kind = Kind.EXTENSION
    status = Status.DRAFT
    title = factory.Sequence(lambda n: f"Extension application {n}")


class ApplicationItemFactory(BaseFactory):
    """A new item asked for, in the scope import's columns."""

    class Meta:
        model = ApplicationItem

    application = factory.SubFactory(ApplicationFactory)
    position = factory.Sequence(lambda n: n + 1)
    category_code = "APP-C"
    category_name = "申请类别"
    item_code = factory.Sequence(lambda n: f"APP-{n:04d}")
    item_key = factory.LazyAttribute(lambda o: code_key(o.item_code))
    item_name = factory.Sequence(lambda n: f"申请项目 {n}")
    method = "GB/T 5750-2006"
    parameters = 1


class AssessorFactory(BaseFactory):
    """An inspector on an application's assessment team."""

    class Meta:
        model = Assessor

    application = factory.SubFactory(ApplicationFactory, status=Status.ASSESSMENT)
    user = factory.SubFactory(UserFactory, role=Role.INSPECTOR)
    lead = False


class ClockFactory(BaseFactory):
    """The acceptance clock of a submitted application, running (5 working days)."""

    class Meta:
        model = Clock

    application = factory.SubFactory(ApplicationFactory, status=Status.SUBMITTED)
    step = Step.ACCEPTANCE
    started_on = date(2010, 3, 1)
    limit_days = 5
    due_on = date(2010, 3, 8)


class ApplicationStepFactory(BaseFactory):
    """The submission of an application, logged."""

    class Meta:
        model = ApplicationStep

    application = factory.SubFactory(ApplicationFactory, status=Status.SUBMITTED)
    name = "submit"
    from_status = Status.DRAFT.value
    to_status = Status.SUBMITTED.value
    on = date(2010, 3, 1)
    comment = "Submitted."


class FindingItemFactory(BaseFactory):
    """A finding of an application's assessment that concerns one of its items."""

    class Meta:
        model = FindingItem

    item = factory.SubFactory(ApplicationItemFactory, application__status=Status.RECTIFICATION)
    application_id = factory.SelfAttribute("item.application_id")
    finding = factory.SubFactory(
        FindingFactory,
        audit=factory.SubFactory(
            AuditFactory,
            kind=AuditKind.EXTERNAL_ASSESSMENT,
            lab=factory.SelfAttribute("...item.application.lab"),
        ),
    )


class CalendarYearFactory(BaseFactory):
    """A year set up in the working calendar (2010 unless told)."""

    class Meta:
        model = CalendarYear
        sqlalchemy_get_or_create = ("year",)

    year = 2010
    note = "国务院办公厅通知"


class CalendarDayFactory(BaseFactory):
    """A public holiday of 2010 (National Day, 1 October)."""

    class Meta:
        model = CalendarDay

    day = factory.Sequence(lambda n: date(2010, 10, 1 + n % 7))
    kind = DayKind.HOLIDAY
    name = "国庆节"
    name_en = "National Day"
