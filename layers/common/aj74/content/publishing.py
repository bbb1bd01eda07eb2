"""Putting content into the feed and taking it out: the fan-out on publication (feed entries per
territory, the SNS bulletin) and the scheduler's content step.

Every change is two steps: a conditional state change that marks the feed sync pending (and makes
the item due for the scheduler), then the sync itself (idempotent puts or deletes) and clearing the
mark. A crash between them leaves the item due, and the next tick finishes the sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aj74.clock import iso, utcnow
from aj74.content import model
from aj74.content.lifecycle import CONTENT_WORKFLOW
from aj74.content.model import Content
from aj74.content.ports import ContentPorts
from aj74.content.repository import found_visible
from aj74.errors import Conflict
from aj74.observability import logger


def default_ports() -> ContentPorts:
    """The real adapters, built per call as they were inline (their clients are built lazily and
    cached per process, so this costs nothing)."""
    from aj74.audit.repository import AuditLog
    from aj74.content.notifications import BulletinTopic
    from aj74.content.repository import ContentRepository, FeedRepository
    from aj74.territories import territory_tree

    return ContentPorts(content=ContentRepository(), feed=FeedRepository(), audit=AuditLog(),
                        bulletins=BulletinTopic(), territories=territory_tree, clock=utcnow)


def sync_feed(content: Content, ports: ContentPorts | None = None) -> Content:
    """Make the feed match ``content`` (as stored with its pending mark), then clear the mark."""
    ports = ports or default_ports()
    repo, feed = ports.content, ports.feed
    if content.feed_pending == "publish":
        feed.put(content)
        if content.type == "bulletin":
            ports.bulletins.publish(content)
    elif content.feed_pending == "remove":
        feed.delete(content)
    else:
        return content
    if not repo.settle(content):
        current = repo.get(content.content_id)
        if content.feed_pending == "publish" and current.state != "published":
            # Retracted while the entries were being written: those writes may have landed after
            # the retraction's deletes, so delete again.
            feed.delete(content)
        return current
    return repo.get(content.content_id)


def _step(content: Content, action: str, now: datetime, ports: ContentPorts, **fields) -> Content | None:
    transition = CONTENT_WORKFLOW.plan(action, content.state, None, {}, None, iso(now))
    try:
        saved = ports.content.apply(content.content_id, transition, **fields)
    except Conflict:
        return None  # another tick got there first
    ports.audit.append(actor=transition.actor, actor_role="system", action=f"content.{action}",
                       target_type="content", target_id=content.content_id,
                       before={"state": transition.from_state}, after={"state": transition.to_state},
                       at=transition.at)
    return saved


@dataclass
class ContentTickReport:
    published: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    synced: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"published": self.published, "expired": self.expired, "synced": self.synced}


def tick(now: datetime | None = None, ports: ContentPorts | None = None) -> ContentTickReport:
    """Publish approved items at ``publish_at``, expire bulletins and found notices, finish feed
    syncs a crash left behind. Safe to run concurrently and repeatedly."""
    ports = ports or default_ports()
    now = now or ports.clock()
    repo, report = ports.content, ContentTickReport()
    for content in repo.in_state("approved", due_by=now):
        saved = _step(content, "publish", now, ports, published_at=model.iso_ms(now), feed_pending="publish")
        if saved:
            sync_feed(saved, ports)
            report.published.append(content.content_id)
    for content in repo.in_state("published", due_by=now):
        if content.feed_pending:
            sync_feed(content, ports)
            report.synced.append(content.content_id)
        elif not model.is_live(content, now, found_visible()):
            saved = _step(content, "expire", now, ports, feed_pending="remove")
            if saved:
                sync_feed(saved, ports)
                report.expired.append(content.content_id)
    for state in ("retracted", "expired"):
        for content in repo.in_state(state, due_by=now):
            if content.feed_pending:
                sync_feed(content, ports)
                report.synced.append(content.content_id)
    if any(report.as_dict().values()):
        logger.info("content tick", **report.as_dict())
    return report
