// Raised hands and reactions, as Element Call sends them, so both sides see each other's:
// - a raised hand is an `m.reaction` annotation with the key 🖐️ on the sender's own call membership event, and
//   lowering it redacts that reaction;
// - a reaction is an `io.element.call.reaction` (`{ emoji, name }`) referencing the sender's membership event.
// Either counts only when it points at a current membership of its sender: anyone else's, an old one, or a
// stranger's is dropped with a reason to log. The rules are a pure reducer, tested as a table; `CallReactions`
// (call-reactions.ts) feeds it from the room.
import { isRecord } from '../json.js';
import { REACTION_SHOWN_MS, type GroupReaction } from './group-call.types.js';

export const CALL_REACTION_EVENT = 'io.element.call.reaction';
export const RAISED_HAND_KEY = '🖐️';
export const ANNOTATION = 'm.annotation';
export const REFERENCE = 'm.reference';
/** Longer than any emoji sequence; a longer `name` is not Element Call's and is cut off. */
export const MAX_NAME_LENGTH = 64;
/** Reactions shown at once: a flood cannot grow the snapshot without bound. */
const MAX_REACTIONS_SHOWN = 32;

/** A current call membership, as reactions refer to it. */
export interface ReactingMember {
  readonly identity: string;
  readonly userId: string;
  readonly membershipEventId: string;
}

export interface RaisedHand {
  readonly reactionEventId: string;
  readonly membershipEventId: string;
  readonly raisedAt: number;
}

export interface ReactionsState {
  readonly members: readonly ReactingMember[];
  /** By identity. */
  readonly hands: ReadonlyMap<string, RaisedHand>;
  /** Oldest first. */
  readonly reactions: readonly GroupReaction[];
}

export type ReactionsInput =
  | { readonly type: 'memberships'; readonly members: readonly ReactingMember[] }
  | { readonly type: 'hand'; readonly eventId: string; readonly sender: string; readonly content: unknown; readonly at: number }
  | { readonly type: 'reaction'; readonly eventId: string; readonly sender: string; readonly content: unknown; readonly at: number }
  | { readonly type: 'redaction'; readonly redacts: string }
  | { readonly type: 'expire'; readonly now: number };

export interface ReactionsStep {
  readonly state: ReactionsState;
  /** Why the input changed nothing, when it was an event that was dropped. */
  readonly dropped?: string;
}

export const NO_REACTIONS: ReactionsState = { members: [], hands: new Map(), reactions: [] };

export function nextReactions(state: ReactionsState, input: ReactionsInput): ReactionsStep {
  switch (input.type) {
    case 'memberships': {
      const hands = new Map([...state.hands].filter(([identity, hand]) =>
        input.members.some((member) => member.identity === identity && member.membershipEventId === hand.membershipEventId)));
      return { state: { ...state, members: input.members, hands } };
    }
    case 'hand': {
      const target = referencedMembership(state, input.sender, input.content, ANNOTATION);
      // Most reactions in a room are to messages: only those on a membership concern the call.
      if (target === undefined) return { state };
      if (typeof target === 'string') return { state, dropped: `raised hand ${input.eventId} from ${input.sender}: ${target}` };
      if (target.key !== RAISED_HAND_KEY) return { state };
      const hands = new Map(state.hands);
      hands.set(target.member.identity, { reactionEventId: input.eventId, membershipEventId: target.member.membershipEventId, raisedAt: input.at });
      return { state: { ...state, hands } };
    }
    case 'reaction': {
      const target = referencedMembership(state, input.sender, input.content, REFERENCE) ?? 'it does not refer to a current call membership';
      if (typeof target === 'string') return { state, dropped: `reaction ${input.eventId} from ${input.sender}: ${target}` };
      const content = input.content as Record<string, unknown>;
      const emoji = typeof content.emoji === 'string' ? firstGrapheme(content.emoji) : undefined;
      if (!emoji) return { state, dropped: `reaction ${input.eventId} from ${input.sender}: no emoji` };
      const { identity } = target.member;
      if (state.reactions.some((reaction) => reaction.identity === identity)) {
        return { state, dropped: `reaction ${input.eventId} from ${identity}: their previous one is still shown` };
      }
      if (state.reactions.some((reaction) => reaction.eventId === input.eventId)) return { state };
      const name = typeof content.name === 'string' && content.name !== '' ? content.name.slice(0, MAX_NAME_LENGTH) : emoji;
      const reaction: GroupReaction = { eventId: input.eventId, identity, emoji, name, receivedAt: input.at };
      return { state: { ...state, reactions: [...state.reactions, reaction].slice(-MAX_REACTIONS_SHOWN) } };
    }
    case 'redaction': {
      const hands = new Map([...state.hands].filter(([, hand]) => hand.reactionEventId !== input.redacts));
      return hands.size === state.hands.size ? { state } : { state: { ...state, hands } };
    }
    case 'expire': {
      const reactions = state.reactions.filter((reaction) => input.now - reaction.receivedAt < REACTION_SHOWN_MS);
      return reactions.length === state.reactions.length ? { state } : { state: { ...state, reactions } };
    }
  }
}

/**
 * The sender's current membership the content relates to, with the annotation key; undefined when it relates to
 * no current membership; or why it must be dropped.
 */
function referencedMembership(state: ReactionsState, sender: string, content: unknown, relType: string): { member: ReactingMember; key: unknown } | string | undefined {
  const relation = isRecord(content) ? content['m.relates_to'] : undefined;
  if (!isRecord(relation) || typeof relation.event_id !== 'string') return undefined;
  const member = state.members.find((candidate) => candidate.membershipEventId === relation.event_id);
  if (!member) return undefined;
  if (relation.rel_type !== relType) return `it relates to a call membership as ${String(relation.rel_type)}, not ${relType}`;
  if (member.userId !== sender) return `it refers to ${member.userId}'s membership, not the sender's`;
  return { member, key: relation.key };
}

/** The first user-perceived character: what Element Call shows of a reaction's emoji. */
export function firstGrapheme(text: string): string | undefined {
  const first = new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)[Symbol.iterator]().next();
  const grapheme = first.done ? undefined : first.value.segment;
  return grapheme?.trim() ? grapheme : undefined;
}
