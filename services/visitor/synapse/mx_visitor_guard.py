"""Synapse module: what a visitor account of the matrix-call-kit visitor service may do on the homeserver.

The visitor service hands a website visitor a real access token. The service refuses targets it does not
allow, but the token works on the homeserver directly, so the homeserver enforces the same limits:
a visitor (a user ID matching ``visitor_regex``) may only

- create a private room whose invitees are allowed targets (no alias, not published, no name or topic),
- invite allowed targets, and join only rooms it was invited to,
- send call events (``m.call.*``, ``org.matrix.call.*``) and encrypted events (an encrypted DM carries the call
  events as ``m.room.encrypted``), and only in rooms where everybody else is an allowed target;
- join the rooms of ``allowed_rooms`` (IDs or aliases; aliases are looked up at each check, as they can move)
  without an invite, for their group call, and send there only its own MatrixRTC membership (the state event
  ``org.matrix.msc3401.call.member`` under a state key ``_<its user ID>_<device>_m.call``, delayed ones too),
  reactions (``m.reaction``, ``io.element.call.reaction``), redactions and encrypted events. An encrypted room's
  events all arrive as ``m.room.encrypted``, whose content the homeserver cannot read: in such a room a visitor
  can write what any member can, which is why the list names rooms, not patterns.

It may send no messages, and no other state events after room creation, and no 3PID invites. Users outside
``visitor_regex`` are not affected. Installed with the spam-checker callbacks of Synapse's module API
(https://element-hq.github.io/synapse/latest/modules/spam_checker_callbacks.html):

    modules:
      - module: mx_visitor_guard.VisitorGuard
        config:
          visitor_regex: "@visitor-[a-z0-9]+:example\\\\.org"
          allowed_targets: ["@support:example.org"]
          allowed_rooms: ["#town-hall:example.org"]

Synapse asks ``user_may_send_state_event`` when a state event (delayed or not) is requested and
``check_event_for_spam`` when it is created, which for a delayed one is when its delay runs out.

with this file's folder on Synapse's PYTHONPATH.
"""

import logging
import re
from typing import Any, Literal

from synapse.module_api import NOT_SPAM, ModuleApi
from synapse.module_api.errors import Codes, ConfigError

logger = logging.getLogger(__name__)

CALL_EVENT_PREFIXES = ("m.call.", "org.matrix.call.")
ENCRYPTED = "m.room.encrypted"
CALL_MEMBER = "org.matrix.msc3401.call.member"
# What a visitor may send in an allowed room besides its own call membership.
ALLOWED_ROOM_EVENT_TYPES = frozenset({"m.reaction", "io.element.call.reaction", "m.room.redaction", ENCRYPTED})
# State a visitor may set while creating its room: what a DM and its encryption need, nothing a person reads.
CREATION_STATE_TYPES = frozenset({"m.room.encryption", "m.room.history_visibility", "m.room.guest_access"})
# Fields of /createRoom that would show the target text of the visitor's choosing or make the room findable.
FORBIDDEN_CREATION_FIELDS = ("room_alias_name", "name", "topic", "invite_3pid")

Decision = Literal["NOT_SPAM"] | Codes


class VisitorGuardConfig:
    def __init__(self, visitor_regex: re.Pattern[str], allowed_targets: frozenset[str], allowed_rooms: frozenset[str]):
        self.visitor_regex = visitor_regex
        self.allowed_targets = allowed_targets
        self.allowed_rooms = allowed_rooms


def is_own_call_member_key(user_id: str, state_key: str) -> bool:
    """Whether a call membership's state key is one of the user's own devices': ``_<user ID>_<device>_m.call``."""
    prefix = f"_{user_id}_"
    return state_key.startswith(prefix) and state_key.endswith("_m.call") and len(state_key) > len(prefix) + len("_m.call")


class VisitorGuard:
    def __init__(self, config: VisitorGuardConfig, api: ModuleApi):
        self._api = api
        self._visitor = config.visitor_regex
        self._targets = config.allowed_targets
        self._room_ids = frozenset(room for room in config.allowed_rooms if room.startswith("!"))
        self._room_aliases = frozenset(room for room in config.allowed_rooms if room.startswith("#"))
        api.register_spam_checker_callbacks(
            check_event_for_spam=self.check_event_for_spam,
            user_may_join_room=self.user_may_join_room,
            user_may_invite=self.user_may_invite,
            user_may_send_3pid_invite=self.user_may_send_3pid_invite,
            user_may_create_room=self.user_may_create_room,
            user_may_create_room_alias=self.user_may_create_room_alias,
            user_may_publish_room=self.user_may_publish_room,
            user_may_send_state_event=self.user_may_send_state_event,
        )

    @staticmethod
    def parse_config(config: dict[str, Any]) -> VisitorGuardConfig:
        regex = config.get("visitor_regex")
        if not isinstance(regex, str) or regex == "":
            raise ConfigError("mx_visitor_guard: visitor_regex must be the visitor service's user namespace regex")
        try:
            compiled = re.compile(regex)
        except re.error as error:
            raise ConfigError(f"mx_visitor_guard: visitor_regex is not a regular expression: {error}")
        targets = config.get("allowed_targets")
        if not isinstance(targets, list) or not all(isinstance(t, str) and t.startswith("@") and ":" in t for t in targets):
            raise ConfigError("mx_visitor_guard: allowed_targets must be a list of user IDs like @support:example.org")
        rooms = config.get("allowed_rooms", [])
        if not isinstance(rooms, list) or not all(isinstance(r, str) and r[:1] in ("!", "#") and len(r) > 1 for r in rooms):
            raise ConfigError("mx_visitor_guard: allowed_rooms must be a list of room IDs or aliases like #town-hall:example.org")
        return VisitorGuardConfig(compiled, frozenset(targets), frozenset(rooms))

    def _is_visitor(self, user_id: str) -> bool:
        return self._visitor.fullmatch(user_id) is not None

    async def _is_allowed_room(self, room_id: str) -> bool:
        if room_id in self._room_ids:
            return True
        for alias in self._room_aliases:
            try:
                aliased, _ = await self._api.lookup_room_alias(alias)
            except Exception as error:  # The alias is gone or malformed: it names no room now.
                logger.info("allowed room %s does not resolve: %s", alias, error)
                continue
            if aliased == room_id:
                return True
        return False

    def _refuse(self, user_id: str, what: str) -> Decision:
        logger.info("visitor %s refused: %s", user_id, what)
        return Codes.FORBIDDEN

    async def user_may_invite(self, inviter: str, invitee: str, room_id: str) -> Decision:
        if self._is_visitor(inviter) and invitee not in self._targets:
            return self._refuse(inviter, f"invite of {invitee} into {room_id}")
        return NOT_SPAM

    async def user_may_send_3pid_invite(self, inviter: str, medium: str, address: str, room_id: str) -> Decision:
        if self._is_visitor(inviter):
            return self._refuse(inviter, f"3pid invite into {room_id}")
        return NOT_SPAM

    async def user_may_join_room(self, user_id: str, room_id: str, is_invited: bool) -> Decision:
        if self._is_visitor(user_id) and not is_invited and not await self._is_allowed_room(room_id):
            return self._refuse(user_id, f"join of {room_id} without an invite")
        return NOT_SPAM

    async def user_may_create_room(self, user_id: str, room_config: dict[str, Any]) -> Decision:
        if not self._is_visitor(user_id):
            return NOT_SPAM
        for field in FORBIDDEN_CREATION_FIELDS:
            if room_config.get(field):
                return self._refuse(user_id, f"room creation with {field}")
        if room_config.get("visibility", "private") != "private" or room_config.get("preset") == "public_chat":
            return self._refuse(user_id, "creation of a public room")
        invites = room_config.get("invite", [])
        if not isinstance(invites, list) or any(not isinstance(i, str) or i not in self._targets for i in invites):
            return self._refuse(user_id, f"room creation inviting {invites!r}")
        initial_state = room_config.get("initial_state", [])
        if not isinstance(initial_state, list):
            return self._refuse(user_id, "room creation with malformed initial_state")
        for state in initial_state:
            event_type = state.get("type") if isinstance(state, dict) else None
            if event_type not in CREATION_STATE_TYPES:
                return self._refuse(user_id, f"room creation with initial state {event_type!r}")
        return NOT_SPAM

    async def user_may_create_room_alias(self, user_id: str, room_alias: Any) -> Decision:
        if self._is_visitor(user_id):
            return self._refuse(user_id, f"alias {room_alias}")
        return NOT_SPAM

    async def user_may_publish_room(self, user_id: str, room_id: str) -> Decision:
        if self._is_visitor(user_id):
            return self._refuse(user_id, f"publishing {room_id}")
        return NOT_SPAM

    async def user_may_send_state_event(
        self, user_id: str, room_id: str, event_type: str, state_key: str, content: dict[str, Any]
    ) -> Decision:
        if not self._is_visitor(user_id):
            return NOT_SPAM
        if event_type == CALL_MEMBER and is_own_call_member_key(user_id, state_key) and await self._is_allowed_room(room_id):
            return NOT_SPAM
        return self._refuse(user_id, f"state event {event_type} ({state_key!r}) in {room_id}")

    async def check_event_for_spam(self, event: Any) -> Decision:
        sender = event.sender
        if not self._is_visitor(sender):
            return NOT_SPAM
        event_type = event.type
        if await self._is_allowed_room(event.room_id):
            own_membership = event.is_state() and event_type == CALL_MEMBER and is_own_call_member_key(sender, event.state_key)
            if own_membership or (not event.is_state() and event_type in ALLOWED_ROOM_EVENT_TYPES):
                return NOT_SPAM
            return self._refuse(sender, f"event {event_type} in the allowed room {event.room_id}")
        if event.is_state() or not (event_type.startswith(CALL_EVENT_PREFIXES) or event_type == ENCRYPTED):
            return self._refuse(sender, f"event {event_type} in {event.room_id}")
        members = await self._api.get_room_state(event.room_id, [("m.room.member", None)])
        for (_, member), member_event in members.items():
            if member == sender or member in self._targets:
                continue
            if member_event.content.get("membership") in ("join", "invite", "knock"):
                return self._refuse(sender, f"event {event_type} in {event.room_id}, where {member} is")
        return NOT_SPAM
