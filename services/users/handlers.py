"""What the users service does, one short function per command; the unit of work is passed in."""

from __future__ import annotations

import secrets
from typing import Any

from services.users import domain
from services.users.commands import ChangeSchoolFunction, CreateUser, PutSchoolFunction, UpdateUser
from services.users.domain import MANAGER_FUNCTION, IssuedSession, SchoolFunction, User
from services.users.passwords import hash_password, verify_password
from services.users.ports import UnitOfWork
from services.users.representation import user_representation
from services.users.rows import RowContext, RowDecision, decide_leaver, decide_row
from shared import audit, catalogue, faults, policy
from shared.audit import AuditEntry
from shared.clock import utcnow
from shared.codes import is_code
from shared.csvfile import trim_cell
from shared.errors import Conflict, NotFound, Unauthorized
from shared.events.envelope import STUDENT_UPDATED, Envelope
from shared.messages import Chunk, ChunkResult, RowOut
from shared.policy import Actor
from shared.sealing import CannotOpen, Sealer, is_sealed_text

LOOKUP_BATCH = 5000


def create_user(uow: UnitOfWork, command: CreateUser, actor: Actor) -> dict[str, Any]:
    with uow:
        function_rights = _function_rights(uow)
        user = User(code=domain.check_code(command.code))
        password = domain.apply_values(user, command.values, function_rights.keys())
        if uow.users.get(user.code) is not None:
            raise domain.user_exists(user.code)
        _authorize_user_change(uow, actor, None, user, "password" in command.values, function_rights)
        _set_password(user, command.values, password)
        user.created_at = user.updated_at = utcnow()
        uow.users.add(user)
        _record_student_event(uow, None, user)
        _record(uow, audit.USER_CREATED, actor, user.code, {"fields": sorted(command.values)})
        uow.commit()
    return user_representation(user)


def update_user(uow: UnitOfWork, command: UpdateUser, actor: Actor) -> dict[str, Any]:
    with uow:
        before = uow.users.get(command.code, for_update=True)
        if before is None:
            raise domain.user_not_found(command.code)
        function_rights = _function_rights(uow)
        user = domain.copy_user(before)
        password = domain.apply_values(user, command.changes, function_rights.keys())
        if "archived" in command.changes:
            user.archived = command.changes["archived"]
        _authorize_user_change(uow, actor, before, user, "password" in command.changes, function_rights)
        _set_password(user, command.changes, password)
        if user.public_fields() != before.public_fields() or user.password_hash != before.password_hash:
            user.updated_at = utcnow()
            uow.users.save(user)
            _record_student_event(uow, before, user)
            _record(uow, audit.USER_UPDATED, actor, user.code, {"fields": _changed_fields(before, user)})
            if domain.ends_sessions(before, user):
                uow.sessions.end_for_users([user.code], "user_changed", user.updated_at)
            uow.commit()
    return user_representation(user)


def get_user(uow: UnitOfWork, code: str) -> dict[str, Any]:
    with uow.reading():
        user = uow.users.get(code)
    if user is None:
        raise domain.user_not_found(code)
    return user_representation(user)


def list_users(uow: UnitOfWork, user_type=None, archived=None, text=None, after_code=None, limit=100,
               changed_since=None) -> list[dict]:
    with uow.reading():
        users = uow.users.list_users(user_type, archived, text, after_code, limit, changed_since)
    return [user_representation(user) for user in users]


def effective_rights(uow: UnitOfWork, code: str) -> list[str]:
    with uow.reading():
        user = uow.users.get(code)
        if user is None:
            raise domain.user_not_found(code)
        return _rights_of(uow, user)


def authenticate(uow: UnitOfWork, code: str, password: str) -> list[str]:
    """The rights of the user with this code and password; one answer for every failure."""
    with uow.reading():
        user = _user_with_password(uow, code, password)
        return _rights_of(uow, user)


def log_in(uow: UnitOfWork, code: str, password: str, client: str | None = None) -> IssuedSession:
    """A new session of the user with this code and password; one answer for every failure. The
    login, or the failed attempt, is recorded in the audit trail."""
    try:
        with uow.reading():
            checked: User | None = _user_with_password(uow, code, password)  # the slow hash, outside
    except Unauthorized:
        checked = None
    known_code = code if is_code(code) else None
    with uow:
        # The user's row is locked, so a change that ends their sessions cannot slip in between
        # this check and the new session: it ends this one too, or this login sees the change.
        user = uow.users.get(code, for_update=True) if checked is not None else None
        if checked is None or user is None or user.password_hash != checked.password_hash or not _may_log_in(user):
            uow.audit.add(AuditEntry.new(audit.LOGIN_FAILED, known_code, known_code, client=client))
            uow.commit()
            raise _invalid_credentials()
        session_id, refresh_token = uow.sessions.start(user.code, utcnow())
        rights = tuple(_rights_of(uow, user))
        uow.audit.add(AuditEntry.new(audit.LOGIN, known_code, known_code, client=client))
        uow.commit()
    return IssuedSession(user.code, rights, session_id, refresh_token)


def refresh_session(uow: UnitOfWork, refresh_token: str) -> IssuedSession:
    """Exchange a refresh token for a new one (and the session's current rights). A token used
    before ends its whole session: someone else has it."""
    reused, user = False, None
    with uow:
        now = utcnow()
        stored = uow.sessions.find(refresh_token)
        if stored is None or stored.ended or stored.expires_at <= now:
            raise _invalid_refresh_token()
        if stored.token_used:
            uow.sessions.end([stored.session_id], "refresh_token_reused", now)
            uow.commit()
            reused = True
        else:
            user = uow.users.get(stored.user_code)
            if user is None or not _may_log_in(user):
                uow.sessions.end([stored.session_id], "user_changed", now)
                uow.commit()
                raise _invalid_refresh_token()
            new_token = uow.sessions.rotate(refresh_token, now)
            rights = tuple(_rights_of(uow, user))
            uow.commit()
    if reused or user is None:
        raise Unauthorized("refresh_token_reused",
                           "This refresh token was used before, so its session has ended; log in again.")
    return IssuedSession(user.code, rights, stored.session_id, new_token)


def log_out(uow: UnitOfWork, refresh_token: str | None = None, session_id: str | None = None) -> None:
    """End the session of a refresh token, or the session `session_id` (an access token's)."""
    with uow:
        if refresh_token is not None:
            stored = uow.sessions.find(refresh_token)
            session_id = stored.session_id if stored is not None else None
        if session_id is not None:
            uow.sessions.end([session_id], "logout", utcnow())
            uow.commit()


def _user_with_password(uow: UnitOfWork, code: str, password: str) -> User:
    user = uow.users.get(code) if is_code(code) else None
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not _may_log_in(user):
        raise _invalid_credentials()
    return user


def _may_log_in(user: User) -> bool:
    return not user.archived and user.login_method == "password"


def _invalid_credentials() -> Unauthorized:
    return Unauthorized("invalid_credentials", "The code or the password is wrong.")


def _invalid_refresh_token() -> Unauthorized:
    return Unauthorized("invalid_refresh_token", "The refresh token is unknown, expired or of an ended session; "
                                                 "log in again.")


def list_school_functions(uow: UnitOfWork, after_code: str | None = None, limit: int | None = None
                          ) -> list[SchoolFunction]:
    """The school functions in code order, after `after_code`, at most `limit` (a school has tens)."""
    with uow.reading():
        functions = [function for function in uow.users.functions() if after_code is None or function.code > after_code]
    return functions[:limit]


def create_school_function(uow: UnitOfWork, command: PutSchoolFunction, actor: Actor) -> SchoolFunction:
    function = SchoolFunction(
        domain.check_function_code(command.code), command.name, domain.check_rights(command.rights)
    )
    with uow:
        if uow.users.get_function(function.code) is not None:
            raise Conflict(
                "school_function_exists", f"School function {function.code!r} already exists.",
                {"code": function.code},
            )
        policy.require(policy.missing_for_function_change(_acting(uow, actor, _function_rights(uow)), (),
                                                          function.rights))
        uow.users.put_function(function)
        _record(uow, audit.SCHOOL_FUNCTION_CREATED, actor, function.code,
                {"name": function.name, "rights": sorted(function.rights)})
        uow.commit()
    return function


def get_school_function(uow: UnitOfWork, code: str) -> SchoolFunction:
    with uow.reading():
        function = uow.users.get_function(code)
    if function is None:
        raise _function_not_found(code)
    return function


def replace_school_function(uow: UnitOfWork, command: PutSchoolFunction, actor: Actor) -> SchoolFunction:
    function = SchoolFunction(command.code, command.name, domain.check_rights(command.rights))
    with uow:
        old = uow.users.get_function(function.code)
        if old is None:
            raise _function_not_found(function.code)
        _store_function_change(uow, old, function, actor)
        uow.commit()
    return function


def change_school_function(uow: UnitOfWork, command: ChangeSchoolFunction, actor: Actor) -> SchoolFunction:
    """A new name, new rights or both; what the command leaves out stays as it is."""
    rights = None if command.rights is None else domain.check_rights(command.rights)
    with uow:
        old = uow.users.get_function(command.code)
        if old is None:
            raise _function_not_found(command.code)
        function = SchoolFunction(old.code, old.name if command.name is None else command.name,
                                  old.rights if rights is None else rights)
        _store_function_change(uow, old, function, actor)
        uow.commit()
    return function


def _store_function_change(uow: UnitOfWork, old: SchoolFunction, function: SchoolFunction, actor: Actor) -> None:
    """The same rules for a PUT and a PATCH: nobody grants what they do not hold, the application
    manager keeps every right, fewer rights end the sessions of the function's holders."""
    policy.require(policy.missing_for_function_change(_acting(uow, actor, _function_rights(uow)), old.rights,
                                                      function.rights))
    if function.code == MANAGER_FUNCTION and set(function.rights) != set(domain.RIGHTS):
        raise Conflict(
            "builtin_function_rights_fixed",
            "The application manager keeps every right, so that someone can always administer the portal.",
        )
    uow.users.put_function(function)
    _record(uow, audit.SCHOOL_FUNCTION_UPDATED, actor, function.code, {
        "name_changed": function.name != old.name,
        "rights_added": sorted(set(function.rights) - set(old.rights)),
        "rights_removed": sorted(set(old.rights) - set(function.rights))})
    if domain.reduces_rights(old.rights, function.rights):
        now = utcnow()
        uow.sessions.end_for_users(uow.sessions.live_holders_of(function.code, now), "function_reduced", now)


def _function_not_found(code: str) -> NotFound:
    return NotFound("school_function_not_found", f"No school function has code {code!r}.", {"code": code})


def ensure_application_manager(uow: UnitOfWork, code: str, password: str | None) -> str | None:
    """Create the first application manager unless a user with `code` exists.

    Returns the password when one was generated (to be shown once), else None.
    """
    generated = None if password else secrets.token_urlsafe(18)
    with uow:
        if uow.users.get(code) is not None:
            return None
        user = User(code=domain.check_code(code), is_employee=True, school_functions={MANAGER_FUNCTION})
        user.password_hash = hash_password(domain.check_password(password or generated or ""))
        user.created_at = user.updated_at = utcnow()
        uow.users.add(user)
        uow.audit.add(AuditEntry.new(audit.USER_CREATED, None, user.code,
                                     {"fields": ["is_employee", "password", "school_functions"]}))
        uow.commit()
    return generated


def list_audit(uow: UnitOfWork, actor=None, target=None, action=None, since=None, before=None,
               limit=100) -> list[dict[str, Any]]:
    """The audit trail newest first, filtered; `before` is the (at, id) the page before ended with."""
    with uow.reading():
        return [entry.to_dict() for entry in uow.audit.list(actor, target, action, since, before, limit)]


def apply_user_rows(uow: UnitOfWork, chunk: Chunk) -> ChunkResult:
    """Plan (dry run) or apply one chunk of imported rows in one transaction, with bulk statements.

    Applying records the chunk's key and results in the same transaction, so a redelivered chunk
    changes nothing twice and answers the same results. An applied chunk is answered only once its
    events are on the stream (those of an earlier delivery too): completed means published.
    """
    result = _decide_or_apply_rows(uow, chunk)
    if not chunk.dry_run:
        uow.confirm_published()
    return result


def _decide_or_apply_rows(uow: UnitOfWork, chunk: Chunk) -> ChunkResult:
    with uow:
        if not chunk.dry_run and (stored := uow.applied_chunks.results(chunk.key)) is not None:
            return _chunk_result(chunk, [RowOut(**row) for row in stored])
        _open_passwords(chunk, uow.sealer)
        row_codes = [_code_of(row) for row in chunk.rows]
        # Only codes are looked up: a cell with a NUL would make PostgreSQL refuse the whole query,
        # and such a row is an error anyway (decide_row checks the code).
        lookup = sorted({code for code in row_codes if code and is_code(code)})
        existing = uow.users.get_many(lookup, for_update=not chunk.dry_run)
        context = _row_context(uow, chunk, existing)
        decisions = [decide_row(row, existing.get(code or ""), context)
                     for row, code in zip(chunk.rows, row_codes, strict=True)]
        if chunk.dry_run:
            return _chunk_result(chunk, [decision.to_row_out(applied=False) for decision in decisions])
        decisions = _write_decisions(uow, chunk, decisions, context)
        faults.freeze_on_rows([row.values for row in chunk.rows], chunk.attempt)
        results = [decision.to_row_out(applied=True) for decision in decisions]
        uow.applied_chunks.record(chunk.key, [row.to_dict() for row in results])
        uow.commit()
    return _chunk_result(chunk, results)


def _open_passwords(chunk: Chunk, sealer: Sealer) -> None:
    """Password cells arrive sealed by the importer; only here, in memory, are they plain."""
    for row in chunk.rows:
        password = row.values.get("password")
        if is_sealed_text(password):
            try:
                row.values["password"] = sealer.open_text(password)
            except CannotOpen:
                row.values["password"] = ""
                row.errors.append(catalogue.note("password_unreadable"))


def _row_context(uow: UnitOfWork, chunk: Chunk, existing: dict[str, User]) -> RowContext:
    """What every row of the chunk is decided with: the options, the school functions' rights, the
    acting user's rights as they are now, and (only when a row touches one) the active managers."""
    function_rights = _function_rights(uow)
    actor = _acting(uow, Actor.from_dict(chunk.actor), function_rights)
    touches_manager = any(policy.is_active_manager(user) for user in existing.values())
    return RowContext(mode=chunk.options.get("mode", "import"), as_student=bool(chunk.options.get("as_student")),
                      function_rights=function_rights, actor=actor,
                      login_method=chunk.options.get("login_method") or "password",
                      active_managers=uow.users.active_manager_codes(for_update=not chunk.dry_run)
                      if touches_manager else set())


def _write_decisions(uow: UnitOfWork, chunk, decisions, context: RowContext) -> list[RowDecision]:
    now = utcnow()
    for decision in decisions:
        if decision.action in ("create", "update"):
            _stamp(decision, now)
    creates = [decision for decision in decisions if decision.action == "create"]
    inserted = uow.users.insert_many([decision.user for decision in creates])
    lost_races = [decision for decision in creates if decision.user.code not in inserted]
    if lost_races:
        # Another import created these codes after we looked: decide again against what it made.
        rows = {row.line: row for row in chunk.rows}
        existing = uow.users.get_many([decision.user.code for decision in lost_races], for_update=True)
        redecided = {}
        for decision in lost_races:
            again = decide_row(rows[decision.line], existing.get(decision.user.code), context)
            if again.action == "update":
                _stamp(again, now)
            again.messages.append(catalogue.note("created_meanwhile", code=decision.user.code))
            redecided[decision.line] = again
        decisions = [redecided.get(decision.line, decision) for decision in decisions]
    updates = [decision for decision in decisions if decision.action == "update"]
    uow.users.update_many([(decision.before, decision.user) for decision in updates])
    ended = [decision.user.code for decision in updates
             if decision.before is not None and domain.ends_sessions(decision.before, decision.user)]
    uow.sessions.end_for_users(ended, "user_changed", now)
    events = []
    for decision in decisions:
        if decision.action in ("create", "update"):
            event_type = domain.student_event_type(decision.before, decision.user)
            if event_type is not None:
                events.append((event_type, user_representation(decision.user)))
    uow.outbox.add_many(Envelope.new_many(events, now))
    return decisions


def apply_leavers(uow: UnitOfWork, chunk: Chunk) -> ChunkResult:
    """The leavers of a synchronize with archive_missing. Planned (dry run): every active student whose
    code is not among the file's keys (`options["file_keys"]`, one per line), each an archive row (or
    an error the import's actor may not make), with the number of active students. Applied: the
    planned leavers (the chunk's rows) archived as the API archives them (their events through the
    outbox, an audit entry each, their sessions ended), exactly once, like any chunk."""
    result = _plan_leavers(uow, chunk) if chunk.dry_run else _archive_leavers(uow, chunk)
    if not chunk.dry_run:
        uow.confirm_published()
    return result


def _plan_leavers(uow: UnitOfWork, chunk: Chunk) -> ChunkResult:
    in_file = set((chunk.options.get("file_keys") or "").split("\n"))
    with uow.reading():
        active, missing = 0, []
        for code in uow.users.active_student_codes():
            active += 1
            if code not in in_file:
                missing.append(code)
        del in_file
        missing.sort()
        existing = _users_in_batches(uow, missing, for_update=False)
        context = _row_context(uow, chunk, existing)
        rows = [decide_leaver(code, existing.get(code), context).to_row_out(applied=False) for code in missing]
    return ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run, rows, facts={"active": active})


def _archive_leavers(uow: UnitOfWork, chunk: Chunk) -> ChunkResult:
    with uow:
        if (stored := uow.applied_chunks.results(chunk.key)) is not None:
            return _chunk_result(chunk, [RowOut(**row) for row in stored])
        codes = [str(row.values.get("code") or "") for row in chunk.rows]
        existing = _users_in_batches(uow, sorted({code for code in codes if is_code(code)}), for_update=True)
        context = _row_context(uow, chunk, existing)
        decisions = [decide_leaver(code, existing.get(code), context) for code in codes]
        archived = [decision for decision in decisions if decision.action == "archive"]
        now = utcnow()
        for decision in archived:
            decision.user.updated_at = now
        uow.users.update_many([(decision.user_before, decision.user) for decision in archived])
        uow.sessions.end_for_users([decision.user.code for decision in archived], "user_changed", now)
        uow.outbox.add_many(Envelope.new_many([(STUDENT_UPDATED, user_representation(decision.user))
                                               for decision in archived], now))
        actor = Actor.from_dict(chunk.actor)
        uow.audit.add_many([AuditEntry.new(audit.USER_UPDATED, actor.code or None, decision.user.code,
                                           {"fields": ["archived"], "import": chunk.job_id}) for decision in archived])
        results = [decision.to_row_out(applied=True) for decision in decisions]
        uow.applied_chunks.record(chunk.key, [row.to_dict() for row in results])
        uow.commit()
    return _chunk_result(chunk, results)


def _users_in_batches(uow: UnitOfWork, codes: list[str], for_update: bool) -> dict[str, User]:
    """get_many a few thousand at a time (SQLite takes some 30,000 parameters per statement)."""
    users: dict[str, User] = {}
    for start in range(0, len(codes), LOOKUP_BATCH):
        users.update(uow.users.get_many(codes[start:start + LOOKUP_BATCH], for_update=for_update))
    return users


def _stamp(decision: RowDecision, now) -> None:
    """A row about to be written: its password hashed, its times set."""
    user = decision.user
    if decision.password is not None:
        user.password_hash = hash_password(decision.password)
    user.updated_at = now
    if decision.action == "create":
        user.created_at = now


def _code_of(row) -> str | None:
    code = row.values.get("code")
    return trim_cell(code) if code else None


def _chunk_result(chunk: Chunk, rows: list[RowOut]) -> ChunkResult:
    return ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run, rows)


def _set_password(user: User, values: dict[str, Any], password: str | None) -> None:
    """Hash a new password (only once the change is allowed: a hash costs tens of milliseconds); a
    password of null takes the user's password away."""
    if "password" in values:
        user.password_hash = None if password is None else hash_password(password)


def _rights_of(uow: UnitOfWork, user: User) -> list[str]:
    return sorted(policy.rights_of(user.school_functions, _function_rights(uow)))


def _function_rights(uow: UnitOfWork) -> dict[str, tuple[str, ...]]:
    return {function.code: function.rights for function in uow.users.functions()}


def _acting(uow: UnitOfWork, actor: Actor, function_rights: dict[str, tuple[str, ...]]) -> Actor:
    """The actor with the rights they hold now: a token's rights, but none that the user has lost
    since it was issued (archived, or a school function taken away)."""
    user = uow.users.get(actor.code) if actor.code else None
    if user is None or user.archived:
        return Actor(actor.code, frozenset())
    held = policy.rights_of(user.school_functions, function_rights)
    return Actor(actor.code, actor.rights & held)


def _authorize_user_change(uow: UnitOfWork, actor: Actor, before: User | None, after: User, password_changed: bool,
                           function_rights: dict[str, tuple[str, ...]]) -> None:
    """Nobody grants what they do not hold; the last active application manager stays one."""
    acting = _acting(uow, actor, function_rights)
    policy.require(policy.missing_for_user_change(acting, before, after, password_changed, function_rights))
    if before is not None and policy.deactivates_manager(before, after) and \
            policy.is_last_manager(before.code, uow.users.active_manager_codes(for_update=True)):
        raise policy.last_application_manager(before.code)


def _record_student_event(uow: UnitOfWork, before: User | None, after: User) -> None:
    event_type = domain.student_event_type(before, after)
    if event_type is not None:
        uow.outbox.add(Envelope.new(event_type, user_representation(after)))


def _record(uow: UnitOfWork, action: str, actor: Actor, target: str, details: dict[str, Any]) -> None:
    uow.audit.add(AuditEntry.new(action, actor.code, target, details, client=actor.client))


def _changed_fields(before: User, after: User) -> list[str]:
    """The names of what a change touched; a new password is named, its value and hash never are."""
    fields = audit.changed_fields(before.public_fields(), after.public_fields())
    return sorted([*fields, "password"]) if before.password_hash != after.password_hash else fields
