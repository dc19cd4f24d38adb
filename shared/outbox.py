"""The transactional outbox, kept as the ordered log of a service's events.

Each service that publishes declares the `outbox_events` table on its own `Base` with
`class OutboxRow(OutboxTable, Base)` and passes that class here (the users service for its student
events; the importer and the enrollments service for their audit entries, `OutboxAuditTrail`).

An event is a row written in the transaction of its change. Publishing sends the pending rows to the
stream and marks each with `published_at` (the last row of each batch also with the stream entry id
it got, which the stream's mark names); the row stays. The log's
order is the order of publication, `(published_at, id)`. The users log is the record of its events
and is kept; the audit logs are not (the users service's audit trail is), so their published rows
go after the retention window.

Publishers (a request right after its commit, an import chunk, the relay, `portal events replay`)
take turns through a PostgreSQL advisory lock held only by their own transaction, never through row
locks, so a publisher that hangs in the middle of a publish holds up no request: the others wait
for the lock a bounded time and leave their events to whoever publishes next. SQLite's writers
take turns by themselves (BEGIN IMMEDIATE, shared/db.py).

Before it publishes, a publisher asks the stream whether it still holds the log (shared/event_stream.py).
When it does not (Redis restarted without persistence, a failover to a replica that lagged), the
relay republishes, in order and with their envelope ids, what the stream should still hold; the
other publishers leave their events to it, so nothing new overtakes the events it puts back.
A crash between XADD and the commit publishes an event twice; subscribers deduplicate by the
envelope's id, so at-least-once is enough.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import redis
from sqlalchemy import (
    DateTime,
    Index,
    Integer,
    String,
    Text,
    any_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, sessionmaker

from shared.audit import AUDIT_RECORDED, AuditEntry
from shared.clock import utcnow
from shared.config import EVENT_STREAM
from shared.db import copy_rows, id_array, is_postgresql, read_only
from shared.event_stream import Expected, append, marker_key, parse_id, read_state
from shared.events.envelope import Envelope
from shared.failures import EventsNotPublished
from shared.redis_client import execute_replicated

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
POLL_SECONDS = 0.5
# The relay publishes every pending event, however young: publishers take turns (the advisory lock),
# so it races no writer for them, and after it put back what Redis lost, the events their writers
# could not publish meanwhile go out in the same round.
MIN_AGE_SECONDS = 0.0
# How long a request whose own publish could not finish (another publisher's turn, a stream being
# put back) waits for its events to be on the stream before it answers anyway.
REQUEST_WAIT_SECONDS = 1.0
DEFAULT_RETENTION = timedelta(hours=24)
# How long a request's publish waits for another publisher's turn before leaving its events to it.
LOCK_WAIT_SECONDS = 0.5
# How long an import chunk keeps trying to get its events on the stream before it gives up (less
# than the importer's chunk timeout, after which the chunk is sent again).
CONFIRM_SECONDS = 30.0
CONFIRM_TURN_WAIT_SECONDS = 5.0
PURGE_EVERY_SECONDS = 600.0
Result = TypeVar("Result")
MORE, DRAINED, WAITING = "more", "drained", "waiting"  # what a publishing turn left
PENDING = "pending"  # the stream's mark names an event the log has not marked published yet
PUBLISH_LOCK = zlib.crc32(b"portal:outbox-publisher")  # per database: each service has its own


class OutboxTable:
    """The columns of `outbox_events`: an event written in the transaction of its change, marked with
    the time it was published; the last event of each published batch also with its stream entry id."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))  # a random UUID: no index to keep up
    envelope: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stream_id: Mapped[str | None] = mapped_column(String(40))

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        # Two small partial indexes: the pending rows in writing order, the published ones in log order.
        pending, published = text("published_at IS NULL"), text("published_at IS NOT NULL")
        return (
            Index("ix_outbox_events_pending", "id", postgresql_where=pending, sqlite_where=pending),
            Index("ix_outbox_events_published", "published_at", "id",
                  postgresql_where=published, sqlite_where=published),
        )


class SqlAlchemyOutbox:
    def __init__(self, session: Session, row_class: type[Any]):  # a service's OutboxRow
        self.session = session
        self.row_class = row_class
        self.added = 0  # events written in this unit of work

    def add(self, envelope: Envelope) -> None:
        self.add_many([envelope])

    def add_many(self, envelopes: list[Envelope]) -> None:
        if not envelopes:
            return
        self.added += len(envelopes)
        now, connection = utcnow(), self.session.connection()
        rows = [(envelope.id, envelope.to_json(), now) for envelope in envelopes]
        if is_postgresql(connection):
            copy_rows(connection, self.row_class.__tablename__, ("event_id", "envelope", "created_at"), rows)
        else:
            connection.execute(insert(self.row_class.__table__), [
                {"event_id": event_id, "envelope": envelope, "created_at": created_at}
                for event_id, envelope, created_at in rows
            ])


class OutboxAuditTrail:
    """A service's audit entries, written to its outbox as `audit.recorded` events in the transaction
    of the change; the users service collects them into the trail (services/users/audit.py)."""

    def __init__(self, outbox: SqlAlchemyOutbox):
        self.outbox = outbox
        self.added = 0  # entries written in this unit of work: after its commit they are published

    def add(self, entry: AuditEntry) -> None:
        self.outbox.add(Envelope.new(AUDIT_RECORDED, entry.to_dict()))
        self.added += 1


@dataclass(frozen=True, order=True)
class Position:
    """An event's place in the log: the order in which events were published."""

    published_at: datetime
    id: int


@dataclass(frozen=True)
class Loss:
    """What the stream lost of a log: the events after `after`, or (the stream was reset) those
    published since `since`."""

    reason: str
    after: Position | None = None
    since: datetime | None = None


class OutboxPublisher:
    def __init__(self, session_factory: sessionmaker[Session], client: redis.Redis, row_class: type[Any],
                 stream: str = EVENT_STREAM, *, retention: timedelta = DEFAULT_RETENTION,
                 keeps_log: bool = False, log_name: str | None = None):
        """`retention`: how long the stream keeps events, so how far back a reset stream is refilled;
        unless `keeps_log`, published rows are deleted once they are older than that."""
        self.session_factory = session_factory
        self.row_class = row_class
        self.client = client
        self.stream = stream
        self.retention = retention
        self.keeps_log = keeps_log
        self.log_name = log_name or row_class.__module__.split(".")[-2]  # services.<name>.orm
        self.lock_wait_seconds = LOCK_WAIT_SECONDS
        self.confirm_seconds = CONFIRM_SECONDS
        self._purged_at: float | None = None

    def publish_pending(self, min_age_seconds: float = 0.0, repair: bool = False,
                        lock_wait_seconds: float | None = None) -> int:
        """Publish everything pending (at least `min_age_seconds` old), in order; returns how many
        were sent. Publishes nothing while another publisher's turn lasts longer than the lock wait,
        nor while the stream misses events of the log, unless `repair`: then it first puts those back."""
        return self._publish_all(min_age_seconds, repair, lock_wait_seconds)[0]

    def try_publish_pending(self, min_age_seconds: float = 0.0, repair: bool = False) -> bool:
        """After a commit: publish now if Redis answers, else leave it to the relay. True when
        nothing (old enough) is pending any more: every event committed before the call is out."""
        try:
            return self._publish_all(min_age_seconds, repair, None)[1]
        except redis.RedisError as error:
            log.warning("events stay in the outbox until the relay can publish them: %s", error)
            return False

    def wait_until_published(self, seconds: float = REQUEST_WAIT_SECONDS) -> bool:
        """After a publish that could not finish: wait, without taking a turn, until every event
        committed before the call is on the stream (another publisher's turn puts it there); False
        after `seconds` or when the database cannot tell (the relay publishes them later)."""
        committed_by, deadline = utcnow(), time.monotonic() + seconds
        try:
            while self._has_pending(committed_by):
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
        except OperationalError as error:
            log.warning("could not tell whether the events are on the stream: %s", error)
            return False
        return True

    def publish_confirmed(self) -> None:
        """Return once every event committed before the call is on the stream; while Redis refuses
        (or another publisher still has them) try again with backoff, and after `confirm_seconds`
        raise `EventsNotPublished`."""
        committed_by = utcnow()
        deadline, pause = time.monotonic() + self.confirm_seconds, 0.05
        while True:
            problem: object = "another publisher has not published them yet"
            try:
                if not self._has_pending(committed_by):
                    return
                # Waiting for the turn is the point here: its holder may be publishing these events.
                self.publish_pending(lock_wait_seconds=max(0.0, min(CONFIRM_TURN_WAIT_SECONDS,
                                                                    deadline - time.monotonic())))
                if not self._has_pending(committed_by):
                    return
            except redis.RedisError as error:
                problem = error
            if time.monotonic() + pause > deadline:
                raise EventsNotPublished(f"events of the {self.log_name} log are not on {self.stream} after "
                                         f"{self.confirm_seconds:.0f}s: {problem}")
            log.warning("events not on the stream yet (%s); trying again in %.2fs", problem, pause)
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    def replay_since(self, since: datetime, lock_wait_seconds: float = 30.0) -> int:
        """Publish again, in log order, every event published at or after `since`; returns how many.
        Holds the publishers' turn throughout, so no new event comes in between."""
        def replay(session: Session) -> int:
            total, after = 0, None
            while rows := self._published_rows(session, Loss("replay", after=after, since=since)):
                self._send(session, rows, republish=True)
                total += len(rows)
                after = Position(rows[-1][2], rows[-1][0])
            return total

        replayed = self._take_turn(replay, lock_wait_seconds)
        log.info("replayed %d events of the %s log published since %s", replayed or 0, self.log_name,
                 since.isoformat())
        return replayed or 0

    def purge_published(self, now: datetime | None = None) -> int:
        """Delete published rows older than the retention (not in a log that is kept); runs at most
        every few minutes, so it can be called each round of a loop."""
        moment = time.monotonic()
        if self.keeps_log or (self._purged_at is not None and moment - self._purged_at < PURGE_EVERY_SECONDS):
            return 0
        self._purged_at = moment
        OutboxRow = self.row_class  # noqa: N806
        cutoff = (now or utcnow()) - self.retention
        with self.session_factory() as session, session.begin():
            result = session.execute(delete(OutboxRow).where(OutboxRow.published_at < cutoff)
                                     .execution_options(synchronize_session=False))
        purged = result.rowcount or 0  # type: ignore[attr-defined]
        if purged:
            log.info("deleted %d events of the %s log published before %s", purged, self.log_name, cutoff.isoformat())
        return purged

    # -- one turn: a transaction holding the publishers' lock --

    def _take_turn(self, work: Callable[[Session], Result], lock_wait_seconds: float | None = None) -> Result | None:
        """`work(session)` in a transaction that holds the publishers' lock; None when the lock
        stayed taken for the whole wait."""
        wait = self.lock_wait_seconds if lock_wait_seconds is None else lock_wait_seconds
        try:
            with self.session_factory() as session, session.begin():
                if not _take_publish_lock(session, wait):
                    return None
                return work(session)
        except _TurnStillTaken:
            return None

    def _publish_all(self, min_age_seconds: float, repair: bool, lock_wait_seconds: float | None) -> tuple[int, bool]:
        """Turns until nothing is left (or the turn stays taken, or the stream waits for its repair):
        how many were sent, and whether nothing is pending any more."""
        total = 0
        while (turn := self._take_turn(lambda session: self._publish_turn(session, min_age_seconds, repair),
                                       lock_wait_seconds)):
            sent, state = turn
            total += sent
            if state != MORE:
                return total, state == DRAINED
        return total, False

    def _publish_turn(self, session: Session, min_age_seconds: float, repair: bool) -> tuple[int, str]:
        """Put back a batch of what the stream lost (when repairing), else publish pending events
        until none is left or a batch's worth went (then the turn commits and another follows).
        Returns how many were sent and what is left: MORE, DRAINED (nothing) or WAITING (a repair).

        The relay (`repair`) asks the stream what it lost first, even with nothing pending. Other
        publishers ask only when they have something to send, and in the same round trip as the
        send: the script appends only when the stream still holds the log up to its newest event."""
        newest: tuple[Position, str | None] | None = None
        if repair:
            loss = self._loss(session)
            if loss is not None and (repaired := self._repair_batch(session, loss)):
                return repaired, MORE
            # None recent enough to put back: the relay has set the mark, and sends what is pending
            # after it whatever else the stream says.
            if loss is None:
                newest = self._newest(session)
        else:
            newest = self._newest(session)
        expected = None if newest is None else Expected(str(newest[0].id), newest[1])
        OutboxRow = self.row_class  # noqa: N806
        sent = 0
        # Asked again after each batch: what others committed meanwhile (their publish may be
        # waiting for this turn, or have given up on it) goes in this turn too.
        while rows := session.execute(
            select(OutboxRow.id, OutboxRow.envelope)
            .where(OutboxRow.published_at.is_(None))
            .where(OutboxRow.created_at <= utcnow() - timedelta(seconds=min_age_seconds))
            .order_by(OutboxRow.id)
            .limit(BATCH_SIZE)
        ).all():
            batch = [(row_id, envelope) for row_id, envelope in rows]
            last_entry = self._send(session, batch, republish=False, expected=expected)
            if last_entry is None:
                # The stream does not hold the log as this turn expected: ask it what it lost.
                loss = self._loss(session)
                if loss is not None:
                    log.info("the stream misses events of the %s log (%s); the relay puts them back first",
                             self.log_name, loss.reason)
                    return sent, WAITING
                # It holds more than the log says (a publisher crashed after its append): go on.
                last_entry = self._send(session, batch, republish=False)
                assert last_entry is not None  # nothing expected: the script always appends
            expected = Expected(str(batch[-1][0]), last_entry)
            sent += len(rows)
            if sent >= BATCH_SIZE:
                return sent, MORE
        return sent, DRAINED

    def _repair_batch(self, session: Session, loss: Loss) -> int:
        rows = self._published_rows(session, loss)
        if not rows:  # nothing within the window: the stream holds all it should
            newest = self._newest(session)
            if newest is not None:
                self.client.set(marker_key(self.stream, self.log_name), str(newest[0].id))
            log.warning("the stream lost events of the %s log (%s); none is recent enough to publish again",
                        self.log_name, loss.reason)
            return 0
        self._send(session, rows, republish=True)
        log.warning("the stream lost events of the %s log (%s): published %d again, from %s to %s",
                    self.log_name, loss.reason, len(rows), rows[0][2].isoformat(), rows[-1][2].isoformat())
        return len(rows)

    def _send(self, session: Session, rows: list, republish: bool, expected: Expected | None = None) -> str | None:
        """Append the rows' envelopes to the stream and move the log's mark to the last, in one
        round trip (with a replica: on it first), then record each row's entry id (and, for a first
        publication, the time). Returns the last entry id, or None when the stream did not hold
        the log as `expected` (nothing was sent). Without MULTI/EXEC, which costs a third more: Redis
        applies and replicates a script's writes in their order, and when it fails midway the rows
        stay pending and go again (the mark then names a pending row)."""
        pipe = self.client.pipeline(transaction=False)
        append(pipe, self.stream, self.log_name, [row[1] for row in rows], str(rows[-1][0]), expected)
        answer = execute_replicated(pipe)[0]
        if answer is None:
            return None
        last_entry = _text(answer[-1])
        _mark_published(session, self.row_class, [row[0] for row in rows], last_entry,
                        None if republish else utcnow())
        return last_entry

    # -- what the log holds --

    def _loss(self, session: Session) -> Loss | None:
        """What the stream lost of this log, or None when it holds (at least) the log's newest event."""
        newest = self._newest(session)
        if newest is None:
            return None  # nothing published yet, nothing to lose
        newest_position, newest_entry = newest
        state = read_state(self.client, self.stream, self.log_name)
        window = utcnow() - self.retention
        if not state.exists:
            return Loss("the stream is gone", since=window)
        marked = self._position_of(session, state.marker)
        if marked == PENDING:
            return None  # a publisher crashed after its XADD: the stream is ahead of the log
        if not isinstance(marked, Position):
            return Loss("the stream has no mark of this log", since=window)
        if marked < newest_position:
            return Loss("the stream ends at an older event of this log", after=marked)
        if newest_entry is not None and state.last_generated_id < parse_id(newest_entry):
            return Loss("the stream was reset to an older id", since=window)
        return None

    def _newest(self, session: Session) -> tuple[Position, str | None] | None:
        OutboxRow = self.row_class  # noqa: N806
        row = session.execute(
            select(OutboxRow.published_at, OutboxRow.id, OutboxRow.stream_id)
            .where(OutboxRow.published_at.is_not(None))
            .order_by(OutboxRow.published_at.desc(), OutboxRow.id.desc()).limit(1)
        ).first()
        return None if row is None else (Position(row[0], row[1]), row[2])

    def _position_of(self, session: Session, marker: str | None) -> Position | str | None:
        if marker is None or not marker.isdigit():
            return None
        OutboxRow = self.row_class  # noqa: N806
        row = session.execute(select(OutboxRow.published_at).where(OutboxRow.id == int(marker))).first()
        if row is None:
            return None
        return PENDING if row[0] is None else Position(row[0], int(marker))

    def _published_rows(self, session: Session, loss: Loss) -> list:
        """The next batch of published rows, in log order: (id, envelope, published_at)."""
        OutboxRow = self.row_class  # noqa: N806
        query = (select(OutboxRow.id, OutboxRow.envelope, OutboxRow.published_at)
                 .where(OutboxRow.published_at.is_not(None))
                 .order_by(OutboxRow.published_at, OutboxRow.id).limit(BATCH_SIZE))
        if loss.since is not None:
            query = query.where(OutboxRow.published_at >= loss.since)
        if loss.after is not None:
            query = query.where(tuple_(OutboxRow.published_at, OutboxRow.id)
                                > tuple_(bindparam(None, loss.after.published_at, type_=DateTime(timezone=True)),
                                         loss.after.id))
        return [tuple(row) for row in session.execute(query).all()]

    def _has_pending(self, created_by: datetime) -> bool:
        OutboxRow = self.row_class  # noqa: N806
        with Session(read_only(self.session_factory.kw["bind"])) as session:  # no writer's turn on SQLite
            return session.execute(
                select(func.count()).select_from(
                    select(OutboxRow.id).where(OutboxRow.published_at.is_(None))
                    .where(OutboxRow.created_at <= created_by).limit(1).subquery())
            ).scalar_one() > 0


class _TurnStillTaken(Exception):
    """The publishers' lock stayed taken for the whole wait (the transaction is aborted: it ends)."""


LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout


def _take_publish_lock(session: Session, wait_seconds: float) -> bool:
    """The publishers' turn: a transaction-scoped advisory lock on PostgreSQL, waited for at most
    `wait_seconds` (raises _TurnStillTaken after that). A waiter is woken the moment the holder's
    transaction ends, instead of asking again after a sleep. On SQLite the transaction began with
    BEGIN IMMEDIATE: it has it."""
    connection = session.connection()
    if not is_postgresql(connection):
        return True
    if connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK}).scalar():
        return True
    if wait_seconds <= 0:
        return False
    # The session's lock_timeout (shared/db.py) for the rest of the turn; the wait's own meanwhile.
    previous = connection.execute(text("SELECT current_setting('lock_timeout')")).scalar_one()
    connection.execute(text("SELECT set_config('lock_timeout', :wait, true)"),
                       {"wait": f"{max(1, round(wait_seconds * 1000))}ms"})
    try:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK})
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        log.info("another publisher has held the outbox for %.1fs; leaving the events to it", wait_seconds)
        raise _TurnStillTaken from None
    connection.execute(text("SELECT set_config('lock_timeout', :previous, true)"), {"previous": previous})
    return True


def _mark_published(session: Session, row_class: type[Any], row_ids: list[int], last_entry: str,
                    published_at: datetime | None) -> None:
    """One statement for the whole batch (thousands of single-row UPDATEs cost more than the XADDs).
    Only the batch's last row keeps its stream entry id: the stream's mark names that row, and the
    loss check compares the newest one with the stream. (An entry id on every row cost PostgreSQL
    an array of thousands of texts to take apart, and the worker one to build.)"""
    table = row_class.__table__
    connection = session.connection()
    if is_postgresql(connection):
        batch = table.c.id == any_(cast(bindparam(None, id_array(row_ids), type_=Text), ARRAY(Integer)))
    else:
        batch = table.c.id.in_(row_ids)
    values: dict[str, Any] = {"stream_id": case((table.c.id == row_ids[-1], last_entry), else_=None)}
    if published_at is not None:
        values["published_at"] = published_at
    connection.execute(update(table).where(batch).values(**values))


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def run_relay(publisher: OutboxPublisher, stop: threading.Event, poll_seconds: float = POLL_SECONDS,
              min_age_seconds: float = MIN_AGE_SECONDS, also: Callable[[], None] | None = None) -> None:
    """Publish what the outbox still holds, every `poll_seconds` until `stop`, after putting back what
    the stream lost; `also` is more work for each round (the users relay trims the stream and
    collects the audit trail)."""
    while not stop.is_set():
        try:
            sent = publisher.publish_pending(min_age_seconds, repair=True)
            if sent:
                log.info("relay published %d events", sent)
            publisher.purge_published()
            if also is not None:
                also()
        except (redis.RedisError, OperationalError) as error:
            log.warning("relay could not publish yet: %s", error)
        except Exception:  # a relay that stops would leave every later outage unrepaired
            log.exception("relay round failed; trying again")
        stop.wait(poll_seconds)
