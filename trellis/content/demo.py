"""Demo content: three articles Northwind's L&D lead wrote for the blog, and one draft. Idempotent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from django.db import transaction

from trellis.content import services
from trellis.content.models import Article
from trellis.core.models import Membership, Organization

ARTICLES = Path(__file__).resolve().parent / "articles"

# (slug, title, summary, tags, published at); the body is articles/<slug>.md
PUBLISHED = [
    (
        "training-mentoring-or-coaching",
        "Training, mentoring or coaching? How to choose",
        "Three formats, three different kinds of help. Start from the change you want, and the choice gets easier.",
        ["Choosing", "Training", "Mentoring", "Coaching"],
        datetime(2026, 9, 15, 8, 0, tzinfo=UTC),
    ),
    (
        "preparing-for-your-first-mentoring-meeting",
        "Preparing for your first mentoring meeting",
        "An hour of preparation turns a polite chat into a relationship that helps: goals, a real situation, and a"
        " note afterwards.",
        ["Mentoring"],
        datetime(2026, 10, 6, 8, 0, tzinfo=UTC),
    ),
    (
        "what-coaching-is-and-is-not",
        "What coaching is — and what it is not",
        "Not advice, not training, not therapy: a confidential thinking partnership in which the answers are yours.",
        ["Coaching"],
        datetime(2026, 11, 3, 8, 0, tzinfo=UTC),
    ),
]

DRAFT = (
    "making-training-stick",
    "Making training stick",
    "Most of a course is forgotten within weeks. Short, spaced reminders and a manager who asks change that.",
    "## Draft\n\nNotes for an article on reinforcement after training: spaced questions, the manager's 30- and"
    " 60-day check, practice with feedback.\n",
    ["Training"],
)


@transaction.atomic
def load() -> dict[str, int]:
    org = Organization.objects.filter(slug="northwind").first()
    author = Membership.objects.select_related("user").filter(organization=org, user__email="heidi@northwind.example")
    heidi = author.first()
    if org is None or heidi is None:
        return {"articles": 0}
    existing = set(Article.objects.values_list("slug", flat=True))
    created = 0
    for slug, title, summary, tags, at in PUBLISHED:
        if slug in existing:
            continue
        body = (ARTICLES / f"{slug}.md").read_text()
        article = services.do_create_article(
            organization=org, actor=heidi.user, title=title, summary=summary, body=body, tags=tags, slug=slug, now=at
        )
        # Published and mailed long ago: the demo must not mail old articles to anyone.
        Article.objects.filter(pk=article.pk).update(publish_at=at, mailed_at=at)
        created += 1
    slug, title, summary, body, tags = DRAFT
    if slug not in existing:
        at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
        services.do_create_article(
            organization=org, actor=heidi.user, title=title, summary=summary, body=body, tags=tags, slug=slug, now=at
        )
        created += 1
    return {"articles": created}
