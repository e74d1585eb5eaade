"""Background work: mail each newly published article to its subscribers, once.

``trellis tick`` runs the job every few minutes (it also catches scheduled articles as their time comes), and
publishing enqueues it at once. Either may run twice or at the same time: ``do_mail_article`` locks the article
and the outbox's key per (article, subscriber) lets each message exist once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.tasks import task
from django.utils import timezone

from trellis.content import services
from trellis.content.models import Article
from trellis.core import ticks

logger = logging.getLogger(__name__)


@ticks.job("content.mail_new_articles")
def mail_new_articles(now: datetime) -> int:
    """Mail every article that is out and not mailed yet. Returns how many messages were queued."""
    due = Article.objects.published(now).filter(mailed_at__isnull=True).order_by("publish_at", "id")
    queued = 0
    for article in due:
        queued += services.do_mail_article(article=article, now=now)
        logger.info("article %s mailed to subscribers", article.public_id)
    return queued


@task()
def mail_new_articles_task() -> int:
    return mail_new_articles(timezone.now())
