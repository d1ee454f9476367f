"""Domain events: what happened, announced by the services that made it happen.

Services send these inside their unit of work (before the commit); receivers (notifications,
the risk grade, ...) may add rows to the same session, so what they record is committed with the
change or not at all. Receivers never commit and never raise for the user's request to fail;
they connect once at start-up (`signal.connect(receiver)`). Pure blinker: no Flask needed.

Every signal is sent with `sender=<the record>` and keyword arguments as documented.
"""

from blinker import Namespace

_events = Namespace()

# Findings (sender: the Finding). actor: who did it (None for the system).
finding_raised = _events.signal("finding-raised")  # actor
# step: the workflow step's name (submit_plan, accept_plan, reject_plan, submit_evidence,
# reject_evidence, close, cancel, reopen) or "extend" for a deadline extension; comment.
finding_changed = _events.signal("finding-changed")  # actor, step, comment

# Audits (sender: the Audit).
audit_recorded = _events.signal("audit-recorded")  # actor

# Comparison rounds (sender: the Round). to: the new status (open, closed, evaluated, published).
round_changed = _events.signal("round-changed")  # actor, to

# Background jobs (sender: the Job). status: done or failed.
job_finished = _events.signal("job-finished")  # status

# Sanctions (sender: the Sanction). step: imposed, lifted, or superseded (by a revocation or
# cancellation of the whole qualification).
sanction_changed = _events.signal("sanction-changed")  # actor, step

# Qualification applications (sender: the Application). step: the step's name (submit, accept,
# return, review, assess, complete_assessment, ready, decide, certify, clock_overdue); comment.
application_changed = _events.signal("application-changed")  # actor, step, comment
