// Feeds the raised-hand and reaction rules (reactions.ts) from a room, and sends ours on our membership event.
import { EventType, MatrixEventEvent, RoomEvent, type MatrixClient, type MatrixEvent, type Room } from 'matrix-js-sdk';
import { MxError } from '../errors.js';
import type { Logger } from '../log.js';
import { REACTION_SHOWN_MS } from './group-call.types.js';
import {
  ANNOTATION,
  CALL_REACTION_EVENT,
  firstGrapheme,
  MAX_NAME_LENGTH,
  nextReactions,
  NO_REACTIONS,
  RAISED_HAND_KEY,
  REFERENCE,
  type ReactingMember,
  type ReactionsInput,
  type ReactionsState,
} from './reactions.js';

/**
 * Feeds `nextReactions` from a room: timeline events (decrypted ones when they decrypt), redactions, and the
 * call's memberships as the call passes them in. It sends our own hand and reactions on our membership event.
 */
export class CallReactions {
  private state: ReactionsState = NO_REACTIONS;
  private ownHand: string | undefined;
  /** Drops already logged: the same event arrives again when the timeline is read for a new member. */
  private readonly droppedLogged = new Set<string>();
  private readonly expiryTimers = new Set<ReturnType<typeof setTimeout>>();
  private readonly stopListening: (() => void)[] = [];

  constructor(
    private readonly client: MatrixClient,
    private readonly room: Room,
    private readonly log: Logger,
    private readonly onChange: (state: ReactionsState) => void,
    private readonly now: () => number = Date.now,
  ) {
    const onEvent = (event: MatrixEvent): void => this.onEvent(event);
    room.on(RoomEvent.Timeline, onEvent);
    room.on(RoomEvent.Redaction, onEvent);
    client.on(MatrixEventEvent.Decrypted, onEvent);
    this.stopListening.push(() => {
      room.off(RoomEvent.Timeline, onEvent);
      room.off(RoomEvent.Redaction, onEvent);
      client.off(MatrixEventEvent.Decrypted, onEvent);
    });
  }

  get current(): ReactionsState {
    return this.state;
  }

  /** The call's current memberships (ours included). Hands raised before we saw them are read from the timeline. */
  setMembers(members: readonly ReactingMember[]): void {
    const known = new Set(this.state.members.map((member) => member.membershipEventId));
    const arrived = members.some((member) => !known.has(member.membershipEventId));
    this.apply({ type: 'memberships', members });
    if (!arrived) return;
    for (const event of this.room.getLiveTimeline().getEvents()) {
      if (event.getType() === EventType.Reaction && !event.isRedacted()) this.onEvent(event);
    }
  }

  async setHandRaised(raised: boolean, ownIdentity: string): Promise<void> {
    const hand = this.state.hands.get(ownIdentity);
    if (raised) {
      if (hand) return;
      const membership = this.ownMembership(ownIdentity);
      const content = { 'm.relates_to': { rel_type: ANNOTATION, event_id: membership.membershipEventId, key: RAISED_HAND_KEY } };
      const { event_id: eventId } = await this.send(EventType.Reaction, content);
      this.ownHand = eventId;
      // Shown at once rather than when the homeserver echoes it: the button's state follows the click.
      this.apply({ type: 'hand', eventId, sender: membership.userId, at: this.now(), content });
      return;
    }
    const reactionEventId = hand?.reactionEventId ?? this.ownHand;
    if (!reactionEventId) return;
    try {
      await this.client.redactEvent(this.room.roomId, reactionEventId);
    } catch (error) {
      throw MxError.from(error, 'HOMESERVER_REFUSED');
    }
    this.ownHand = undefined;
    this.apply({ type: 'redaction', redacts: reactionEventId });
  }

  async sendReaction(reaction: { readonly emoji: string; readonly name: string }, ownIdentity: string): Promise<void> {
    const emoji = typeof reaction.emoji === 'string' ? firstGrapheme(reaction.emoji) : undefined;
    if (!emoji) throw new MxError('INVALID_ARGUMENT', 'A reaction needs an emoji.');
    if (typeof reaction.name !== 'string' || reaction.name === '' || reaction.name.length > MAX_NAME_LENGTH) {
      throw new MxError('INVALID_ARGUMENT', `A reaction needs a name of 1 to ${MAX_NAME_LENGTH} characters (Element Call's, such as "thumbsup").`);
    }
    const membership = this.ownMembership(ownIdentity);
    await this.send(CALL_REACTION_EVENT, {
      'm.relates_to': { rel_type: REFERENCE, event_id: membership.membershipEventId },
      emoji,
      name: reaction.name,
    });
  }

  dispose(): void {
    for (const stop of this.stopListening.splice(0)) stop();
    for (const timer of this.expiryTimers) clearTimeout(timer);
    this.expiryTimers.clear();
  }

  private ownMembership(ownIdentity: string): ReactingMember {
    const membership = this.state.members.find((member) => member.identity === ownIdentity);
    if (!membership) throw new MxError('INVALID_STATE', 'Raising a hand or reacting needs our membership in the call: join it first.');
    return membership;
  }

  private async send(type: string, content: Record<string, unknown>): Promise<{ event_id: string }> {
    try {
      // The event type is Element Call's own; the SDK's typed map does not know it.
      return await this.client.sendEvent(this.room.roomId, type as EventType.Reaction, content as never);
    } catch (error) {
      throw MxError.from(error, 'HOMESERVER_REFUSED');
    }
  }

  private onEvent(event: MatrixEvent): void {
    if (event.getRoomId() !== this.room.roomId || event.isSending() || event.isDecryptionFailure() || event.isBeingDecrypted()) return;
    const eventId = event.getId();
    const sender = event.getSender();
    if (!eventId || !sender) return;
    const at = Math.min(event.getTs(), this.now());
    switch (event.getType()) {
      case EventType.Reaction:
        this.apply({ type: 'hand', eventId, sender, content: event.getContent(), at });
        break;
      case CALL_REACTION_EVENT:
        // Old reactions replayed from the timeline are not shown again.
        if (this.now() - at >= REACTION_SHOWN_MS) return;
        this.apply({ type: 'reaction', eventId, sender, content: event.getContent(), at: this.now() });
        break;
      case EventType.RoomRedaction: {
        const redacts = event.event.redacts ?? event.getContent().redacts;
        if (typeof redacts === 'string') this.apply({ type: 'redaction', redacts });
        break;
      }
    }
  }

  private apply(input: ReactionsInput): void {
    const { state, dropped } = nextReactions(this.state, input);
    if (dropped && !this.droppedLogged.has(dropped) && this.droppedLogged.size < 1000) {
      this.droppedLogged.add(dropped);
      this.log.info(`ignored: ${dropped}`);
    }
    if (state === this.state) return;
    const added = state.reactions.length > 0 && state.reactions.at(-1) !== this.state.reactions.at(-1);
    this.state = state;
    if (added) {
      const timer = setTimeout(() => {
        this.expiryTimers.delete(timer);
        this.apply({ type: 'expire', now: this.now() });
      }, REACTION_SHOWN_MS);
      this.expiryTimers.add(timer);
    }
    this.onChange(state);
  }
}
