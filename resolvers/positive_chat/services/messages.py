"""Use cases for messages: post, edit, delete, history, sync, search by tag."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from ..domain import limits as checks
from ..domain.analytics import sentiment_bucket
from ..domain.commands import DeleteMessage, EditMessage, PostMessage
from ..domain.deadline import Deadline
from ..domain.errors import (
    ConflictError,
    DuplicateRequestError,
    NotFoundError,
    UnauthorizedError,
    ValidationError,
)
from ..domain.events import MessageAccepted, MessageRejected, PostOutcome
from ..domain.hints import has_written_hint, hint_for
from ..domain.ids import UlidFactory, ulid_time_ms
from ..domain.limits import DEFAULT_LIMITS, Limits
from ..domain.model import (
    Author,
    Caller,
    Message,
    Page,
    Rejection,
    Room,
)
from ..domain.moderation import points_for, rejection_reason
from ..domain.tags import normalise_tag, tag_delta
from ..ports import MessageRepository, StatsRepository, TagChange
from .access import RoomAccess, require_user
from .analysis import Analysis, Judgement
from .translation import TranslationService

logger = logging.getLogger(__name__)

# Delta sync re-reads this much before lastSync: the sync index is eventually
# consistent and _lastChangedAt comes from each writer's clock, so a change stamped
# just before the previous startedAt could otherwise be missed. Clients drop the
# duplicates by (id, _version).
SYNC_OVERLAP_MS = 5_000
# Translation is the one step a post can do without: the request waits for it at most this
# long (and never past its deadline); what is not done by then is stored as pending and
# completed by the stream handler (services/pending_translations.py). Healthy Translate
# answers in ~0.1-0.3 s per target, targets run in parallel.
REQUEST_TRANSLATION_BUDGET_S = 4.0


@dataclasses.dataclass(frozen=True)
class SyncPage:
    items: list[Message]
    next_token: str | None
    started_at_ms: int


class MessageService:
    def __init__(
        self,
        *,
        access: RoomAccess,
        messages: MessageRepository,
        stats: StatsRepository,
        analysis: Analysis,
        translation: TranslationService,
        ids: UlidFactory,
        clock_ms: Callable[[], int],
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._access = access
        self._messages = messages
        self._stats = stats
        self._analysis = analysis
        self._translation = translation
        self._ids = ids
        self._now = clock_ms
        self._limits = limits

    # ------------------------------------------------------------------ writes

    def post(self, cmd: PostMessage, deadline: Deadline | None = None) -> PostOutcome:
        """Validate, judge, tag, translate, then store atomically.

        ``deadline``: the request's time budget (the handler's remaining time minus a margin
        for the write and the response). Language, sentiment and topics must finish within it,
        or DeadlineExceededError (retryable) is raised before anything is written;
        translations not done within it are stored as pending.

        Raises ValidationError, NotFoundError, UnauthorizedError, DuplicateRequestError,
        StoreError, ProviderError (DeadlineExceededError, ProviderThrottledError).
        """
        deadline = deadline or Deadline.unbounded()
        text = checks.check_text(cmd.text, self._limits)
        client_id = checks.check_client_id(cmd.client_id)
        room_id = checks.check_id(cmd.room_id, field="roomId")
        hint = checks.check_language(cmd.language) if cmd.language else None
        room, membership = self._access.member_room(room_id, cmd.caller)
        author = _author(cmd.caller)

        # A retry of a stored post skips the pipeline entirely (and its cost).
        earlier = self._messages.get_message_by_client_id(room.id, client_id)
        if earlier is not None:
            return self._replayed(earlier, author)

        language = self._analysis.language(text, hint, membership.language, deadline)
        judgement = self._analysis.judge(text, language, deadline)
        rejected = self._rejection(room, author, judgement, deadline)
        if rejected is not None:
            return rejected

        # One instant for the id and createdAt: time-window searches go by the id (ULID),
        # the analytics counters by createdAt, and both must put a message in the same bucket.
        message_id = self._ids.new()
        now = ulid_time_ms(message_id)
        message = self._compose(text, room, judgement, now, deadline)
        message = dataclasses.replace(
            message,
            id=message_id,
            room_id=room.id,
            author=author,
            client_id=client_id,
            created_at_ms=now,
            version=1,
        )
        stored = self._messages.add_message(message)
        if stored.id != message.id:
            return self._replayed(stored, author)
        return MessageAccepted(stored, created=True)

    def edit(self, cmd: EditMessage, deadline: Deadline | None = None) -> PostOutcome:
        """Re-moderate the new text; apply only if the caller saw the current version.
        ``deadline`` as for ``post``.

        Raises ValidationError, NotFoundError, UnauthorizedError, ConflictError,
        ProviderError.
        """
        deadline = deadline or Deadline.unbounded()
        text = checks.check_text(cmd.text, self._limits)
        checks.check_version(cmd.expected_version)
        hint = checks.check_language(cmd.language) if cmd.language else None
        room, membership = self._access.member_room(cmd.room_id, cmd.caller)
        current = self._own_message(room, cmd.message_id, cmd.caller, allow_moderator=False)
        _check_version(current, cmd.expected_version)

        language = self._analysis.language(text, hint, membership.language, deadline)
        judgement = self._analysis.judge(text, language, deadline)
        rejected = self._rejection(room, current.author, judgement, deadline)
        if rejected is not None:
            return rejected

        now = self._now()
        composed = self._compose(text, room, judgement, now, deadline)
        edited = dataclasses.replace(
            current,
            text=composed.text,
            language=composed.language,
            sentiment=composed.sentiment,
            moderation=composed.moderation,
            tags=composed.tags,
            translations=composed.translations,
            translation_status=composed.translation_status,
            untranslated_languages=composed.untranslated_languages,
            pending_translations=composed.pending_translations,
            points=composed.points,
            version=current.version + 1,
            last_changed_at_ms=now,
            edited_at_ms=now,
        )
        added, removed = tag_delta(current.tags, edited.tags)
        stored = self._messages.replace_message(
            edited,
            cmd.expected_version,
            TagChange(added, removed),
            edited.points - current.points,
            sentiment_bucket(current.sentiment),
        )
        return MessageAccepted(stored, created=True)

    def delete(self, cmd: DeleteMessage) -> Message:
        """Replace the message with a tombstone (kept for sync until its TTL).

        Authors delete their own messages; moderators any. Points earned are revoked
        so that deleting and reposting cannot farm points.
        """
        checks.check_version(cmd.expected_version)
        require_user(cmd.caller)
        room = self._access.room(checks.check_id(cmd.room_id, field="roomId"))
        if not cmd.caller.is_moderator:
            room, _ = self._access.member_room(room.id, cmd.caller)
        current = self._own_message(room, cmd.message_id, cmd.caller, allow_moderator=True)
        _check_version(current, cmd.expected_version)
        now = self._now()
        tombstone = dataclasses.replace(
            current,
            text="",
            tags=(),
            translations=(),
            untranslated_languages=(),
            pending_translations=(),
            points=0,
            sentiment=None,
            deleted=True,
            version=current.version + 1,
            last_changed_at_ms=now,
        )
        return self._messages.replace_message(
            tombstone,
            cmd.expected_version,
            TagChange(frozenset(), frozenset(current.tags)),
            -current.points,
            sentiment_bucket(current.sentiment),
        )

    # ------------------------------------------------------------------ reads

    def history(
        self, caller: Caller, room_id: str, limit: int | None, token: str | None
    ) -> Page[Message]:
        room = self._access.readable_room(checks.check_id(room_id, field="roomId"), caller)
        size = checks.check_page_size(limit, self._limits)
        return self._messages.list_messages_for_room(room.id, size, token)

    def sync(
        self,
        caller: Caller,
        room_id: str,
        last_sync_ms: int | None,
        limit: int | None,
        token: str | None,
    ) -> SyncPage:
        started = self._now()
        room = self._access.readable_room(checks.check_id(room_id, field="roomId"), caller)
        size = checks.check_page_size(limit, self._limits)
        if last_sync_ms is not None and last_sync_ms < 0:
            raise ValidationError("lastSync must be a millisecond timestamp >= 0", field="lastSync")
        since = max(0, (last_sync_ms or 0) - SYNC_OVERLAP_MS) if last_sync_ms else 0
        page = self._messages.list_changes_for_room(room.id, since, size, token)
        return SyncPage(page.items, page.next_token, started)

    def by_tag(
        self,
        caller: Caller,
        tag: str,
        room_id: str | None,
        limit: int | None,
        token: str | None,
        *,
        from_ms: int | None = None,
        to_ms: int | None = None,
    ) -> Page[Message]:
        """Newest first; optionally only messages created in ``[from_ms, to_ms)``.

        Raises ValidationError, NotFoundError, UnauthorizedError.
        """
        normalised = normalise_tag(tag, self._limits)
        if normalised is None:
            raise ValidationError("tag must contain at least two letters or digits", field="tag")
        size = checks.check_page_size(limit, self._limits)
        checks.check_time_range(from_ms, to_ms)
        scope = self._access.analytics_scope(caller, room_id, what="Searching by tag")
        return self._messages.list_messages_for_tag(
            normalised, scope, size, token, from_ms=from_ms, to_ms=to_ms
        )

    # ------------------------------------------------------------------ helpers

    def _compose(
        self, text: str, room: Room, judgement: Judgement, now: int, deadline: Deadline
    ) -> Message:
        """The parts of a message the pipeline decides (ids and authorship set by callers)."""
        tags = self._analysis.tags(text, judgement, deadline)
        outcome = self._translation.for_readers(
            text,
            judgement.language,
            room.reader_languages,
            deadline.capped(REQUEST_TRANSLATION_BUDGET_S),
        )
        return Message(
            id="",
            room_id=room.id,
            author=Author("", ""),
            text=text,
            language=judgement.language,
            sentiment=judgement.sentiment,
            moderation=judgement.moderation,
            tags=tags,
            translations=outcome.translations,
            translation_status=outcome.status,
            untranslated_languages=outcome.untranslated,
            pending_translations=outcome.pending,
            points=points_for(judgement.sentiment),
            created_at_ms=now,
            client_id="",
            version=1,
            last_changed_at_ms=now,
        )

    def _rejection(
        self, room: Room, author: Author, judgement: Judgement, deadline: Deadline
    ) -> MessageRejected | None:
        reason = rejection_reason(judgement.sentiment, judgement.moderation, room)
        if reason is None:
            return None
        self._stats.record_rejection(room.id, author, self._now())
        text, hint_language = hint_for(reason, judgement.language)
        message, hint = text.message, text.hint
        if not has_written_hint(reason, judgement.language):
            budget = deadline.capped(REQUEST_TRANSLATION_BUDGET_S)
            language = judgement.language
            message_t = self._translation.translate_one(message, hint_language, language, budget)
            hint_t = self._translation.translate_one(hint, hint_language, language, budget)
            if message_t is not None and hint_t is not None:
                message, hint, hint_language = message_t, hint_t, judgement.language
        return MessageRejected(
            Rejection(
                reason=reason,
                message=message,
                hint=hint,
                hint_language=hint_language,
                language=judgement.language,
                sentiment=judgement.sentiment,
                threshold=room.negativity_threshold,
            )
        )

    def _own_message(
        self, room: Room, message_id: str, caller: Caller, *, allow_moderator: bool
    ) -> Message:
        message = self._messages.get_message(
            room.id, checks.check_id(message_id, field="messageId")
        )
        if message is None or message.deleted:
            raise NotFoundError(f"Message {message_id} does not exist in room {room.id}")
        if message.author.id != caller.user_id and not (allow_moderator and caller.is_moderator):
            raise UnauthorizedError("Only the message's author may change it")
        return message

    def _replayed(self, earlier: Message, author: Author) -> MessageAccepted:
        if earlier.author.id != author.id:
            raise DuplicateRequestError("clientId was already used for another author's message")
        return MessageAccepted(earlier, created=False)


def _author(caller: Caller) -> Author:
    require_user(caller)
    assert caller.user_id is not None
    return Author(caller.user_id, caller.username or caller.user_id)


def _check_version(current: Message, expected: int) -> None:
    if current.version != expected:
        raise ConflictError(
            f"Message {current.id} is at version {current.version}, not {expected}", current=current
        )


__all__ = ["MessageService", "SyncPage"]
