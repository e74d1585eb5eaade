"""Background work for mentoring (django.tasks: the database backend in production, immediate in tests)."""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from trellis.mentoring import matching, matchmaking, services
from trellis.mentoring.models import MatchRun, Preference

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 0.5  # seconds between progress writes
PROGRESS_STEP = 0.05  # …or this much progress


class _Progress:
    """The engine's progress callback: writes MatchRun.progress, at most every half second or 5 %."""

    def __init__(self, run_pk: int) -> None:
        self.run_pk = run_pk
        self.written = 0.0
        self.at = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if fraction - self.written >= PROGRESS_STEP or now - self.at >= PROGRESS_EVERY:
            # the engine's share of the work is 10 %–95 % of the bar: loading before, storing after
            value = min(0.95, 0.1 + 0.85 * max(0.0, min(1.0, fraction)))
            MatchRun.objects.filter(pk=self.run_pk).update(progress=value)
            self.written, self.at = fraction, now


@task()
def run_matching(run_id: str) -> str:
    """Load the program's open applications and active mentors, solve, store the proposal. Idempotent: a run
    that is no longer queued is left alone."""
    claimed = MatchRun.objects.filter(public_id=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, progress=0.02
    )
    if not claimed:
        return "skipped"
    run = MatchRun.objects.select_related("program__organization", "started_by__user").get(public_id=run_id)
    try:
        at = timezone.now()
        program = run.program
        applications = matchmaking.open_applications(program)
        with_goals = [a for a in applications if a.goals.all()]
        without_goals = [a for a in applications if not a.goals.all()]
        excluded = matchmaking.exclusions(program, [a.mentee_id for a in with_goals])
        prefs: dict[int, list[str]] = {}
        for app_id, member in (
            Preference.objects.filter(application__in=with_goals)
            .order_by("application_id", "rank")
            .values_list("application_id", "mentor__member__public_id")
        ):
            prefs.setdefault(app_id, []).append(str(member))
        mentees = [
            matchmaking.mentee_input(
                a,
                tags={t for g in a.goals.all() for t in (g.tags or ())},
                preferences=prefs.get(a.pk, []),
                exclude=excluded.get(a.mentee_id, frozenset()),
                at=at,
            )
            for a in with_goals
        ]
        mentors = matchmaking.program_mentors(program, at=at)
        MatchRun.objects.filter(pk=run.pk).update(progress=0.1)
        result = matching.solve(
            mentees,
            [m for _, m in mentors],
            matchmaking.managers_of(program.organization),
            weights=matching.Weights(**run.weights) if run.weights else matchmaking.weights_of(program),
            objective=run.objective,
            progress=_Progress(run.pk),
        )
        services.do_store_proposal(
            run=run,
            result=result,
            applications={str(a.mentee.public_id): a for a in with_goals},
            profiles={m.id: p for p, m in mentors},
            without_goals=without_goals,
        )
    except Exception as exc:  # the run page says it failed; the log names the exception type, never data
        logger.exception("mentoring run %s failed", run_id)
        with transaction.atomic():
            MatchRun.objects.filter(pk=run.pk).update(
                status=MatchRun.Status.FAILED, error=type(exc).__name__, finished_at=timezone.now()
            )
        return "failed"
    return "ready"
