"""Putting content into the feed and taking it out: the fan-out on publication (feed entries per
territory, the SNS bulletin) and the scheduler's content step.

Every change is two steps: a conditional state change that marks the feed sync pending (and makes
the item due for the scheduler), then the sync itself (idempotent puts or deletes) and clearing the
mark. A crash between them leaves the item due, and the next tick finishes the sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aj74.audit.repository import AuditLog
from aj74.clock import iso, utcnow
from aj74.content import model
from aj74.content.lifecycle import CONTENT_WORKFLOW
from aj74.content.model import Content
from aj74.content.repository import ContentRepository, FeedRepository, found_visible
from aj74.errors import Conflict
from aj74.observability import logger


def sync_feed(content: Content) -> Content:
    """Make the feed match ``content`` (as stored with its pending mark), then clear the mark."""
    repo = ContentRepository()
    if content.feed_pending == "publish":
        FeedRepository().put(content)
        if content.type == "bulletin":
            from aj74.content.notifications import BulletinTopic

            BulletinTopic().publish(content)
    elif content.feed_pending == "remove":
        FeedRepository().delete(content)
    else:
        return content
    if not repo.settle(content):
        current = repo.get(content.content_id)
        if content.feed_pending == "publish" and current.state != "published":
            # Retracted while the entries were being written: those writes may have landed after
            # the retraction's deletes, so delete again.
            FeedRepository().delete(content)
        return current
    return repo.get(content.content_id)


def _step(content: Content, action: str, now: datetime, **fields) -> Content | None:
    transition = CONTENT_WORKFLOW.plan(action, content.state, None, {}, None, iso(now))
    try:
        saved = ContentRepository().apply(content.content_id, transition, **fields)
    except Conflict:
        return None  # another tick got there first
    AuditLog().append(actor=transition.actor, actor_role="system", action=f"content.{action}",
                      target_type="content", target_id=content.content_id, before={"state": transition.from_state},
                      after={"state": transition.to_state}, at=transition.at)
    return saved


@dataclass
class ContentTickReport:
    published: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    synced: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"published": self.published, "expired": self.expired, "synced": self.synced}


def tick(now: datetime | None = None) -> ContentTickReport:
    """Publish approved items at ``publish_at``, expire bulletins and found notices, finish feed
    syncs a crash left behind. Safe to run concurrently and repeatedly."""
    now = now or utcnow()
    repo, report = ContentRepository(), ContentTickReport()
    for content in repo.in_state("approved", due_by=now):
        saved = _step(content, "publish", now, published_at=model.iso_ms(now), feed_pending="publish")
        if saved:
            sync_feed(saved)
            report.published.append(content.content_id)
    for content in repo.in_state("published", due_by=now):
        if content.feed_pending:
            sync_feed(content)
            report.synced.append(content.content_id)
        elif not model.is_live(content, now, found_visible()):
            saved = _step(content, "expire", now, feed_pending="remove")
            if saved:
                sync_feed(saved)
                report.expired.append(content.content_id)
    for state in ("retracted", "expired"):
        for content in repo.in_state(state, due_by=now):
            if content.feed_pending:
                sync_feed(content)
                report.synced.append(content.content_id)
    if any(report.as_dict().values()):
        logger.info("content tick", **report.as_dict())
    return report
