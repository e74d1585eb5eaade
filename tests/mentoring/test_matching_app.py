"""Matching in the app: the background run, the proposal, swaps the engine refuses, publishing, the mentor's
answer, rematch exclusions, and the program admin's dashboard (counts only, bounded queries)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from trellis.core.models import Notification
from trellis.mentoring import matchmaking, selectors, services
from trellis.mentoring.demo import PROGRAM_NAME
from trellis.mentoring.models import Application, MatchRun, MentorProfile, Pair, Program, Proposal


@pytest.fixture
def program(northwind) -> Program:  # type: ignore[no-untyped-def]
    return Program.objects.get(organization=northwind, name=PROGRAM_NAME)


def _run(member, program: Program) -> MatchRun:  # type: ignore[no-untyped-def]
    run = services.do_start_run(actor=member("heidi"), program=program)
    run.refresh_from_db()
    return run


def test_a_run_solves_in_the_background_and_stores_the_proposal(member, program) -> None:  # type: ignore[no-untyped-def]
    open_apps = Application.objects.filter(program=program, status="open").count()
    assert open_apps >= 8
    run = _run(member, program)
    assert run.status == MatchRun.Status.READY
    assert run.progress == 1.0
    lines = list(run.proposals.select_related("mentor__member", "application__mentee"))
    assert len(lines) == open_apps
    matched = [line for line in lines if line.mentor_id]
    assert run.matched == len(matched) >= 6
    assert run.total_score == pytest.approx(sum(line.score for line in matched))
    for line in matched:
        assert line.score == pytest.approx(sum(line.parts.values()))
        assert line.mentor.member.level > line.application.mentee.level
    for line in lines:
        if not line.mentor_id:
            assert line.reason in matchmaking.UNMATCHED_WORDS
    # no mentor beyond capacity (live pairs count)
    live = matchmaking.live_pairs(program)
    for profile in MentorProfile.objects.filter(program=program):
        assert live.get(profile.pk, 0) + sum(1 for line in matched if line.mentor_id == profile.pk) <= profile.capacity


def test_an_application_without_goals_is_listed_unmatched_with_the_reason(member, program) -> None:  # type: ignore[no-untyped-def]
    app = Application.objects.filter(program=program, status="open").first()
    assert app is not None
    app.goals.all().delete()
    run = _run(member, program)
    line = run.proposals.get(application=app)
    assert line.mentor_id is None and line.reason == "no_goals"


def test_swap_refuses_a_rule_break_with_the_reason(member, program) -> None:  # type: ignore[no-untyped-def]
    run = _run(member, program)
    line = run.proposals.filter(mentor__isnull=False).select_related("application__mentee").first()
    assert line is not None
    junior = line.application.mentee
    # a mentor no more senior than the mentee breaks the level rule
    alice = member("alice")
    alice.level = junior.level
    alice.save(update_fields=["level"])
    peer = MentorProfile.objects.create(
        organization=program.organization, program=program, member=alice, expertise=["sales"], capacity=3
    )
    with pytest.raises(ValidationError, match="more senior"):
        services.do_swap(actor=member("heidi"), run=run, application=line.application, mentor=peer)
    line.refresh_from_db()
    assert line.mentor_id != peer.pk and not line.edited


def test_swap_refuses_a_full_mentor_and_accepts_a_valid_change(member, program) -> None:  # type: ignore[no-untyped-def]
    run = _run(member, program)
    heidi = member("heidi")
    lines = list(run.proposals.filter(mentor__isnull=False).select_related("application", "mentor"))
    full = next(
        (
            p
            for p in MentorProfile.objects.filter(program=program)
            if sum(1 for x in lines if x.mentor_id == p.pk) + matchmaking.live_pairs(program).get(p.pk, 0) >= p.capacity
        ),
        None,
    )
    assert full is not None
    other = next(x for x in lines if x.mentor_id != full.pk)
    with pytest.raises(ValidationError):
        services.do_swap(actor=heidi, run=run, application=other.application, mentor=full)
    # leaving someone unmatched is always allowed, and moving them back re-scores the line
    services.do_swap(actor=heidi, run=run, application=other.application, mentor=None)
    run.refresh_from_db()
    assert run.matched == len(lines) - 1
    back = services.do_swap(actor=heidi, run=run, application=other.application, mentor=other.mentor)
    assert back.edited and back.score == pytest.approx(other.score)


def test_publish_creates_proposed_pairs_and_notifies_both_sides(member, program) -> None:  # type: ignore[no-untyped-def]
    run = _run(member, program)
    pairs = services.do_publish(actor=member("heidi"), run=run)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.PUBLISHED and len(pairs) == run.matched
    for pair in pairs:
        assert pair.status == Pair.Status.PROPOSED
        pair.application.refresh_from_db()
        assert pair.application.status == Application.Status.MATCHED
        assert Notification.objects.filter(user=pair.mentor.member.user, text__contains="proposed mentee").exists()
        assert Notification.objects.filter(user=pair.mentee.user, text__contains="matched").exists()
    with pytest.raises(ValidationError):
        services.do_publish(actor=member("heidi"), run=run)


def test_decline_reopens_and_excludes_that_mentor_next_time(member, program) -> None:  # type: ignore[no-untyped-def]
    run = _run(member, program)
    pairs = services.do_publish(actor=member("heidi"), run=run)
    pair = pairs[0]
    services.do_respond(actor=pair.mentor.member, pair=pair, accept=False)
    pair.refresh_from_db()
    pair.application.refresh_from_db()
    assert pair.status == Pair.Status.DECLINED
    assert pair.application.status == Application.Status.OPEN
    again = _run(member, program)
    line = again.proposals.get(application=pair.application)
    assert line.mentor_id != pair.mentor_id
    assert matchmaking.why_not(pair.application, pair.mentor, at=timezone.now()) == "excluded"


def test_accept_then_rematch_after_the_chemistry_check(member, program) -> None:  # type: ignore[no-untyped-def]
    run = _run(member, program)
    pair = services.do_publish(actor=member("heidi"), run=run)[0]
    now = timezone.now()
    services.do_respond(actor=pair.mentor.member, pair=pair, accept=True, now=now)
    pair.refresh_from_db()
    assert pair.status == Pair.Status.ACTIVE
    with pytest.raises(ValidationError, match="chemistry"):
        services.do_rematch(actor=pair.mentee, pair=pair, now=now + timedelta(days=2))
    later = now + timedelta(weeks=program.chemistry_weeks, days=1)
    services.do_rematch(actor=pair.mentee, pair=pair, now=later)
    pair.refresh_from_db()
    pair.application.refresh_from_db()
    assert pair.status == Pair.Status.REMATCH and pair.application.status == Application.Status.OPEN
    fits = matchmaking.shortlist(pair.application, at=later)
    assert pair.mentor_id not in {f.profile.pk for f in fits}


def test_mentee_picks_a_mentor_from_the_shortlist(member, program) -> None:  # type: ignore[no-untyped-def]
    app = Application.objects.filter(program=program, status="open").select_related("program", "mentee").first()
    assert app is not None
    fit = matchmaking.shortlist(app, at=timezone.now())[0]
    pair = services.do_request_mentor(actor=app.mentee, application=app, mentor=fit.profile)
    assert pair.status == Pair.Status.PROPOSED and pair.score == pytest.approx(fit.parts.total, abs=1e-6)
    program.matching = Program.Matching.ADMIN
    program.save()
    other = Application.objects.filter(program=program, status="open").first()
    assert other is not None
    with pytest.raises(ValidationError, match="program admin"):
        services.do_request_mentor(actor=other.mentee, application=other, mentor=fit.profile)


def test_dashboard_counts_only_and_bounded_queries(member, program, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    run = _run(member, program)
    services.do_publish(actor=member("heidi"), run=run)
    for pair in Pair.objects.filter(program=program, status="proposed"):
        services.do_respond(actor=pair.mentor.member, pair=pair, accept=True, now=timezone.now() - timedelta(weeks=10))
    with django_assert_max_num_queries(12):
        d = selectors.dashboard(program, now=timezone.now())
        rows = [(r.pair.mentee.user.full_name, r.pair.mentor.member.user.full_name) for r in d.at_risk]
        caps = [(m.member.user.full_name, m.live, m.capacity) for m in d.capacity]
    assert rows and caps
    assert all(v == "0" or v == "<5" or int(v) >= 5 for v in d.pairs.values())
    assert d.pairs["active"] in {"<5"} or int(d.pairs["active"]) >= 5
    assert selectors.shown(3) == "<5" and selectors.shown(0) == "0" and selectors.shown(7) == "7"


def test_failed_run_is_marked_failed(member, program, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from trellis.mentoring import matching

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("solver down")

    monkeypatch.setattr(matching, "solve", boom)
    run = _run(member, program)
    assert run.status == MatchRun.Status.FAILED and run.error == "RuntimeError"
    assert not Proposal.objects.filter(run=run).exists()


def test_demo_is_idempotent_and_mentors_are_senior(program) -> None:  # type: ignore[no-untyped-def]
    from trellis.mentoring import demo

    again = demo._matching_demo(program.organization, program)
    assert again == {"mentor profiles": 0, "mentoring applications": 0}
    mentors = MentorProfile.objects.filter(program=program).select_related("member")
    assert mentors.count() >= 5
    juniors = Application.objects.filter(program=program, status="open").select_related("mentee")
    assert 8 <= juniors.count() <= 12
    assert min(m.member.level for m in mentors) > max(a.mentee.level for a in juniors)
