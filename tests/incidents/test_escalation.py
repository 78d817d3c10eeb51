"""Escalation (issue "Incidents"): an incident not acknowledged within its severity's time, or a task
past its deadline, escalates to the parent unit and shows on the timeline. Deadlines live in columns;
the worker's sweeper (`tasks.sweep_due`) finds what is due and enqueues one job per escalation, so a worker
that was down catches up; each escalation happens exactly once, however often its job runs.

In-process, with the controllable clock: `sweep_due` enqueues jobs (django_tasks_db rows) and
`run_ready_jobs` runs them as `liaison worker` does. (The same with real processes and a worker
killed mid-job: test_worker_crash.py.)

The cast: the Na Mèo border post (BP-DON-NA-MEO, border guard, whose parent is the provincial
command BP-TH) leads incidents in the Na Mèo commune (VN-38-15013, a border area). Smuggling is of
medium severity, and a medium incident must be acknowledged within 120 minutes (the PRODUCT
defaults, incidents/migrations/0002_defaults.py). The Na Mèo commune police (CA-XA-NA-MEO) answer
to the provincial police (CA-TH).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.core.worker import run_ready_jobs
from liaison.geo.models import Area
from liaison.incidents import services
from liaison.incidents.models import Incident, IncidentType, Participant, Task, TimelineEvent
from liaison.incidents.tasks import escalate_incident, sweep_due
from liaison.org.actor import Actor
from liaison.org.models import Unit

MEDIUM_ACK = dt.timedelta(minutes=120)  # PRODUCT default for a medium incident, not read from the table
INCIDENT_JOB = "liaison.incidents.tasks.escalate_incident"
TASK_JOB = "liaison.incidents.tasks.escalate_task"
WORKER = "test-worker"


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch):
    """The database worker calls `close_old_connections()` each round; inside the test's transaction
    (autocommit off) that closes the connection and loses the test's data. Between requests and
    between jobs in `liaison worker` it is right; here it is a no-op."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda **kw: None)


@pytest.fixture
def t0():
    # Later than the real time (and the demo's records), whole seconds. The services read the frozen
    # clock; the job rows' own columns (enqueued, started) the real one, and a job enqueued without a
    # delay is ready at any time, so the worker runs it whatever the frozen time.
    return (timezone.now() + dt.timedelta(hours=3)).replace(microsecond=0)


@pytest.fixture
def open_smuggling(cast):
    """Open a smuggling incident in Na Mèo as the post's duty officer. The plan's tasks (due 60
    minutes on) are cancelled, so that only the incident and what a test adds can escalate."""

    def open_(title: str = "Buôn lậu pháo qua đường mòn") -> Incident:
        inc = services.incident_open(
            cast("na_meo_post_officer"),
            incident_type=IncidentType.objects.get(code="smuggling"),
            title=title,
            area=Area.objects.get(code="VN-38-15013"),
        )
        for t in Task.objects.filter(incident=inc):
            services.task_update(Actor.system(), task=t, state=Task.State.CANCELLED)
        return inc

    return open_


def run_jobs() -> int:
    """Run every ready job, as the worker's rounds do (the demo's own open incidents have jobs too)."""
    total = 0
    for _ in range(100):
        ran = run_ready_jobs(WORKER)
        total += ran
        if not ran:
            return total
    raise AssertionError("jobs keep coming")


def incident_jobs(inc: Incident) -> list[DBTaskResult]:
    return [
        j
        for j in DBTaskResult.objects.filter(task_path=INCIDENT_JOB).order_by("enqueued_at")
        if j.args_kwargs["args"][0] == str(inc.pk)
    ]


def task_jobs(task: Task) -> list[DBTaskResult]:
    return [
        j
        for j in DBTaskResult.objects.filter(task_path=TASK_JOB).order_by("enqueued_at")
        if j.args_kwargs["args"][0] == str(task.pk)
    ]


def escalations(inc: Incident) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(incident=inc, kind="escalated").order_by("id"))


def escalated_units(inc: Incident) -> list[str]:
    return sorted(
        Participant.objects.filter(incident=inc, role=Participant.Role.ESCALATED).values_list(
            "unit__code", flat=True
        )
    )


def audited(obj: Incident | Task, verb: Verb = Verb.INCIDENT_ESCALATED) -> int:
    return AuditEvent.objects.filter(verb=verb, object_id=str(obj.pk)).count()


def snapshot(inc: Incident) -> tuple:
    inc = Incident.objects.get(pk=inc.pk)
    return (
        inc.escalation_level,
        inc.ack_due_at,
        len(escalations(inc)),
        escalated_units(inc),
        audited(inc),
    )


# --- an unacknowledged incident ------------------------------------------------------------------


def test_an_unacknowledged_incident_escalates_once_to_the_parent_unit(open_smuggling, t0):
    with clock.frozen(t0) as clk:
        inc = open_smuggling()
        assert (inc.area_kind, inc.lead_force) == ("border", "border_guard")
        assert inc.lead_unit.code == "BP-DON-NA-MEO"
        assert inc.severity == "medium"
        assert inc.ack_due_at == t0 + MEDIUM_ACK
        assert inc.escalation_level == 0

        # Nothing is due before the deadline, not even a second before it.
        clk.advance(MEDIUM_ACK - dt.timedelta(seconds=1))
        sweep_due()
        assert incident_jobs(inc) == []
        run_jobs()
        assert snapshot(inc)[0] == 0 and escalations(inc) == []

        # Past the deadline: exactly one job, and sweeping again does not enqueue a second.
        clk.advance(dt.timedelta(minutes=1))
        counts = sweep_due()
        assert counts["incidents"] >= 1
        jobs = incident_jobs(inc)
        assert len(jobs) == 1
        assert jobs[0].status == "READY"
        assert jobs[0].args_kwargs["args"] == [str(inc.pk), 1]
        assert Incident.objects.get(pk=inc.pk).escalation_enqueued_at == clock.now()
        sweep_due()
        clk.advance(dt.timedelta(minutes=1))
        sweep_due()
        assert len(incident_jobs(inc)) == 1

        # Enqueued is not done: the job does the escalation.
        assert Incident.objects.get(pk=inc.pk).escalation_level == 0
        assert escalations(inc) == []

        ran_at = clock.now()
        run_jobs()

    [job] = incident_jobs(inc)
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL" and job.return_value is True
    inc.refresh_from_db()
    assert inc.escalation_level == 1
    assert inc.ack_due_at == ran_at + MEDIUM_ACK  # the next level is due a full period later
    assert inc.escalation_enqueued_at is None
    assert inc.acknowledged_at is None and inc.status == "reported"
    assert inc.lead_unit.code == "BP-DON-NA-MEO"  # escalating informs the parent; the post still leads
    bp_th = Unit.objects.get(code="BP-TH")
    assert inc.lead_unit.parent_id == bp_th.pk
    assert escalated_units(inc) == ["BP-TH"]
    [event] = escalations(inc)
    assert event.at == ran_at
    assert event.data["level"] == 1
    assert event.data["to"] == bp_th.name
    assert event.actor is None  # the system did it
    assert audited(inc) == 1


def test_running_an_escalation_again_changes_nothing(open_smuggling, t0):
    with clock.frozen(t0) as clk:
        inc = open_smuggling()
        clk.advance(MEDIUM_ACK + dt.timedelta(minutes=1))
        sweep_due()
        run_jobs()
        after_first = snapshot(inc)
        assert after_first[0] == 1 and after_first[2] == 1

        clk.advance(dt.timedelta(minutes=5))
        # The same escalation called again (a job re-run after a killed worker): refused, no change.
        assert services.incident_escalate(Actor.system(), incident_id=str(inc.pk), level=1) is False
        assert snapshot(inc) == after_first

        # The very same job row re-queued (as the reaper does with a job left RUNNING) and run again.
        [job] = incident_jobs(inc)
        DBTaskResult.objects.filter(pk=job.pk).update(status="READY", started_at=None)
        assert run_jobs() >= 1
        job.refresh_from_db()
        assert job.status == "SUCCESSFUL" and job.return_value is False
        assert len(job.worker_ids) == 2
        assert snapshot(inc) == after_first

        # A stray duplicate job for the same level does nothing either.
        escalate_incident.enqueue(str(inc.pk), 1)
        run_jobs()
        assert snapshot(inc) == after_first
        # Nor does a job for a level ahead of its time (level 2 is not due for two hours).
        assert services.incident_escalate(Actor.system(), incident_id=str(inc.pk), level=2) is False
        assert snapshot(inc) == after_first

        # A level-1 job that runs late, when level 2 is already due, does not redo level 1.
        clk.advance(MEDIUM_ACK)
        assert services.incident_escalate(Actor.system(), incident_id=str(inc.pk), level=1) is False
        assert snapshot(inc) == after_first


def test_a_lost_job_is_enqueued_again_but_escalates_only_once(open_smuggling, t0):
    """The sweeper enqueues a job again when the first has not run five minutes after it was enqueued
    (escalation.ENQUEUE_RETRY); when both end up running, only one escalates."""
    with clock.frozen(t0) as clk:
        inc = open_smuggling()
        clk.advance(MEDIUM_ACK + dt.timedelta(minutes=1))
        sweep_due()
        clk.advance(dt.timedelta(minutes=4))
        sweep_due()
        assert len(incident_jobs(inc)) == 1
        clk.advance(dt.timedelta(minutes=2))  # six minutes after the first enqueue, nothing ran
        sweep_due()
        assert len(incident_jobs(inc)) == 2
        run_jobs()

    results = sorted(j.return_value for j in incident_jobs(inc))
    assert [j.status for j in incident_jobs(inc)] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert results == [False, True]
    assert snapshot(inc)[0] == 1
    assert len(escalations(inc)) == 1
    assert audited(inc) == 1


def test_an_acknowledged_incident_never_escalates(cast, open_smuggling, t0):
    with clock.frozen(t0) as clk:
        inc = open_smuggling()
        clk.advance(dt.timedelta(minutes=10))
        services.incident_transition(cast("na_meo_post_officer"), incident=inc, to="acknowledged")
        for step in (MEDIUM_ACK, dt.timedelta(hours=6), dt.timedelta(days=3)):
            clk.advance(step)
            sweep_due()
            run_jobs()
        assert incident_jobs(inc) == []
        assert services.incident_escalate(Actor.system(), incident_id=str(inc.pk), level=1) is False

    inc.refresh_from_db()
    assert inc.escalation_level == 0
    assert escalations(inc) == []
    assert escalated_units(inc) == []
    assert audited(inc) == 0


def test_acknowledged_after_the_job_was_enqueued_it_does_not_escalate(cast, open_smuggling, t0):
    with clock.frozen(t0) as clk:
        inc = open_smuggling()
        clk.advance(MEDIUM_ACK + dt.timedelta(minutes=1))
        sweep_due()
        assert len(incident_jobs(inc)) == 1
        clk.advance(dt.timedelta(minutes=1))
        services.incident_transition(cast("na_meo_post_officer"), incident=inc, to="acknowledged")
        run_jobs()

    [job] = incident_jobs(inc)
    assert job.status == "SUCCESSFUL" and job.return_value is False
    inc.refresh_from_db()
    assert inc.escalation_level == 0
    assert escalations(inc) == []
    assert escalated_units(inc) == []


# --- a task past its deadline --------------------------------------------------------------------


def test_a_task_past_its_deadline_escalates_once_to_its_units_parent(cast, open_smuggling, t0):
    post = cast("na_meo_post_officer")
    commune_police = Unit.objects.get(code="CA-XA-NA-MEO")
    assert commune_police.parent.code == "CA-TH"
    with clock.frozen(t0) as clk:
        inc = open_smuggling()
        # Acknowledged, so that only the task can escalate.
        services.incident_transition(post, incident=inc, to="acknowledged")
        task = services.task_add(
            post,
            incident=inc,
            title="Kiểm tra đường mòn phía bắc bản",
            unit=commune_police,
            due_at=t0 + dt.timedelta(minutes=30),
        )

        clk.advance(dt.timedelta(minutes=30) - dt.timedelta(seconds=1))
        sweep_due()
        assert task_jobs(task) == []

        clk.advance(dt.timedelta(minutes=1))
        sweep_due()
        sweep_due()
        assert len(task_jobs(task)) == 1
        ran_at = clock.now()
        run_jobs()

        task.refresh_from_db()
        assert task.escalated_at == ran_at
        assert task.state == Task.State.OPEN  # escalation tells the parent; the task stays with its unit
        assert escalated_units(inc) == ["CA-TH"]
        kinds = list(TimelineEvent.objects.filter(incident=inc, kind="task_escalated").values("data"))
        assert len(kinds) == 1
        assert kinds[0]["data"]["to"] == commune_police.parent.name
        assert audited(task, Verb.TASK_ESCALATED) == 1

        # Once: later sweeps, the job run again, the service called again change nothing.
        clk.advance(dt.timedelta(minutes=20))
        sweep_due()
        assert len(task_jobs(task)) == 1
        [job] = task_jobs(task)
        DBTaskResult.objects.filter(pk=job.pk).update(status="READY", started_at=None)
        run_jobs()
        assert services.task_escalate(Actor.system(), task_id=str(task.pk)) is False
        task.refresh_from_db()
        assert task.escalated_at == ran_at
        assert TimelineEvent.objects.filter(incident=inc, kind="task_escalated").count() == 1
        assert escalated_units(inc) == ["CA-TH"]
        assert audited(task, Verb.TASK_ESCALATED) == 1
        # The incident itself, acknowledged, did not escalate.
        assert Incident.objects.get(pk=inc.pk).escalation_level == 0


def test_a_task_done_in_time_never_escalates(cast, open_smuggling, t0):
    with clock.frozen(t0) as clk:
        inc = open_smuggling()
        task = services.task_add(
            cast("na_meo_post_officer"),
            incident=inc,
            title="Kiểm tra đường mòn phía bắc bản",
            unit=Unit.objects.get(code="CA-XA-NA-MEO"),
            due_at=t0 + dt.timedelta(minutes=30),
        )
        clk.advance(dt.timedelta(minutes=20))
        services.task_update(cast("na_meo_commune_police"), task=task, state="done")
        clk.advance(dt.timedelta(days=1))
        sweep_due()
        run_jobs()
    assert task_jobs(task) == []
    task.refresh_from_db()
    assert task.escalated_at is None
    assert not TimelineEvent.objects.filter(incident=inc, kind="task_escalated").exists()
    assert escalated_units(inc) == ["BP-TH"]  # the incident itself did escalate meanwhile


# --- a worker that was down ----------------------------------------------------------------------


def test_a_worker_down_for_a_day_catches_up_one_level_at_a_time(open_smuggling, t0):
    with clock.frozen(t0) as clk:
        inc = open_smuggling()
        # The worker is down: nothing sweeps for a day (twelve acknowledgement periods).
        clk.advance(dt.timedelta(days=1))

        sweep_due()
        assert len(incident_jobs(inc)) == 1  # one job, for level 1, not one per missed period
        assert incident_jobs(inc)[0].args_kwargs["args"] == [str(inc.pk), 1]
        back_at = clock.now()
        run_jobs()
        inc.refresh_from_db()
        assert inc.escalation_level == 1
        assert inc.ack_due_at == back_at + MEDIUM_ACK  # the next level counts from now, not from t0
        assert len(escalations(inc)) == 1

        # More rounds at the same moment: no burst.
        for _ in range(3):
            sweep_due()
            run_jobs()
        assert len(incident_jobs(inc)) == 1
        assert Incident.objects.get(pk=inc.pk).escalation_level == 1
        assert len(escalations(inc)) == 1

        # The next level comes a full period later.
        clk.advance(MEDIUM_ACK - dt.timedelta(seconds=1))
        sweep_due()
        run_jobs()
        assert Incident.objects.get(pk=inc.pk).escalation_level == 1
        clk.advance(dt.timedelta(seconds=1))
        sweep_due()
        run_jobs()

    # BP-TH, the border-guard command, is the top of the tree: the second level has nobody to go to,
    # so it stops there instead of escalating to the same unit again and again.
    inc.refresh_from_db()
    assert inc.escalation_level == 1
    assert [e.data["level"] for e in escalations(inc)] == [1]
    assert len(incident_jobs(inc)) == 2
    assert audited(inc) == 1
    assert inc.ack_due_at is None
