import { expect } from '@open-wc/testing';
import { REACTION_SHOWN_MS } from '../../../signaling/rtc/group-call.types.js';
import { nextReactions, NO_REACTIONS, RAISED_HAND_KEY, type ReactingMember, type ReactionsInput, type ReactionsState } from '../../../signaling/rtc/reactions.js';

const NOW = 1_800_000_000_000;
const ann: ReactingMember = { identity: '@ann:example.org:ANN', userId: '@ann:example.org', membershipEventId: '$ann-membership' };
const bob: ReactingMember = { identity: '@bob:example.org:BOB', userId: '@bob:example.org', membershipEventId: '$bob-membership' };

const hand = (eventId: string, sender: string, target: string, key: string = RAISED_HAND_KEY, relType = 'm.annotation'): ReactionsInput =>
  ({ type: 'hand', eventId, sender, at: NOW, content: { 'm.relates_to': { rel_type: relType, event_id: target, key } } });
const reaction = (eventId: string, sender: string, target: string, emoji: unknown = '👍', name: unknown = 'thumbsup', at = NOW): ReactionsInput =>
  ({ type: 'reaction', eventId, sender, at, content: { 'm.relates_to': { rel_type: 'm.reference', event_id: target }, emoji, name } });

function run(inputs: readonly ReactionsInput[]): { state: ReactionsState; dropped: string[] } {
  let state = nextReactions(NO_REACTIONS, { type: 'memberships', members: [ann, bob] }).state;
  const dropped: string[] = [];
  for (const input of inputs) {
    const step = nextReactions(state, input);
    state = step.state;
    if (step.dropped) dropped.push(step.dropped);
  }
  return { state, dropped };
}

const hands = (state: ReactionsState) => [...state.hands.keys()];
const shown = (state: ReactionsState) => state.reactions.map((shownReaction) => `${shownReaction.identity} ${shownReaction.emoji} ${shownReaction.name}`);

describe('nextReactions: raised hands (m.reaction 🖐️ on the sender\'s membership)', () => {
  const table: [string, ReactionsInput[], string[], RegExp[]][] = [
    ['a hand on one\'s own membership is raised', [hand('$h1', ann.userId, ann.membershipEventId)], [ann.identity], []],
    ['another key on a membership is no hand', [hand('$h1', ann.userId, ann.membershipEventId, '👍')], [], []],
    ['a reaction to a message is not the call\'s business, and not logged', [hand('$h1', ann.userId, '$some-message')], [], []],
    ['a hand on someone else\'s membership is dropped (spoofed)', [hand('$h1', '@mallory:example.org', ann.membershipEventId)], [], [/@ann:example.org's membership, not the sender's/]],
    ['a hand as a reference, not an annotation, is dropped', [hand('$h1', ann.userId, ann.membershipEventId, RAISED_HAND_KEY, 'm.reference')], [], [/as m.reference, not m.annotation/]],
    ['content without a relation is ignored', [{ type: 'hand', eventId: '$h1', sender: ann.userId, at: NOW, content: { 'm.relates_to': 'nope' } }], [], []],
    ['content that is not an object is ignored', [{ type: 'hand', eventId: '$h1', sender: ann.userId, at: NOW, content: null }], [], []],
    ['redacting the reaction lowers the hand', [hand('$h1', ann.userId, ann.membershipEventId), { type: 'redaction', redacts: '$h1' }], [], []],
    ['redacting something else keeps it', [hand('$h1', ann.userId, ann.membershipEventId), { type: 'redaction', redacts: '$other' }], [ann.identity], []],
    ['a member who left takes their hand down', [hand('$h1', ann.userId, ann.membershipEventId), { type: 'memberships', members: [bob] }], [], []],
    ['a new membership event (a rejoin) takes the old hand down', [hand('$h1', ann.userId, ann.membershipEventId), { type: 'memberships', members: [{ ...ann, membershipEventId: '$ann-rejoined' }, bob] }], [], []],
    ['two members raise, each has a hand', [hand('$h1', ann.userId, ann.membershipEventId), hand('$h2', bob.userId, bob.membershipEventId)], [ann.identity, bob.identity], []],
  ];
  for (const [name, inputs, expectedHands, expectedDrops] of table) {
    it(name, () => {
      const { state, dropped } = run(inputs);
      expect(hands(state)).to.deep.equal(expectedHands);
      expect(dropped.length).to.equal(expectedDrops.length, dropped.join('; '));
      expectedDrops.forEach((pattern, index) => expect(dropped[index]).to.match(pattern));
    });
  }

  it('keeps when the hand went up', () => {
    const { state } = run([hand('$h1', ann.userId, ann.membershipEventId)]);
    expect(state.hands.get(ann.identity)).to.deep.equal({ reactionEventId: '$h1', membershipEventId: ann.membershipEventId, raisedAt: NOW });
  });
});

describe('nextReactions: reactions (io.element.call.reaction referencing the sender\'s membership)', () => {
  const table: [string, ReactionsInput[], string[], RegExp[]][] = [
    ['a reaction is shown with its emoji and name', [reaction('$r1', ann.userId, ann.membershipEventId)], [`${ann.identity} 👍 thumbsup`], []],
    ['only the first grapheme of the emoji is shown', [reaction('$r1', ann.userId, ann.membershipEventId, '😵‍💫 and more text', 'dizzy')], [`${ann.identity} 😵‍💫 dizzy`], []],
    ['without a name, the emoji names it', [reaction('$r1', ann.userId, ann.membershipEventId, '🦀', null)], [`${ann.identity} 🦀 🦀`], []],
    ['a name is cut at 64 characters', [reaction('$r1', ann.userId, ann.membershipEventId, '👍', 'x'.repeat(500))], [`${ann.identity} 👍 ${'x'.repeat(64)}`], []],
    ['no emoji is dropped', [reaction('$r1', ann.userId, ann.membershipEventId, '   ')], [], [/no emoji/]],
    ['an emoji that is not a string is dropped', [reaction('$r1', ann.userId, ann.membershipEventId, 42)], [], [/no emoji/]],
    ['a reaction on someone else\'s membership is dropped', [reaction('$r1', bob.userId, ann.membershipEventId)], [], [/not the sender's/]],
    ['a reaction on no current membership is dropped', [reaction('$r1', ann.userId, '$old-membership')], [], [/does not refer to a current call membership/]],
    ['a second reaction while the first is shown is dropped (no flooding)', [reaction('$r1', ann.userId, ann.membershipEventId), reaction('$r2', ann.userId, ann.membershipEventId, '🎉', 'party')], [`${ann.identity} 👍 thumbsup`], [/still shown/]],
    ['two members each react', [reaction('$r1', ann.userId, ann.membershipEventId), reaction('$r2', bob.userId, bob.membershipEventId, '🎉', 'party')], [`${ann.identity} 👍 thumbsup`, `${bob.identity} 🎉 party`], []],
    ['a reaction goes once shown long enough', [reaction('$r1', ann.userId, ann.membershipEventId), { type: 'expire', now: NOW + REACTION_SHOWN_MS }], [], []],
    ['and stays until then', [reaction('$r1', ann.userId, ann.membershipEventId), { type: 'expire', now: NOW + REACTION_SHOWN_MS - 1 }], [`${ann.identity} 👍 thumbsup`], []],
    ['after it went, the member may react again', [reaction('$r1', ann.userId, ann.membershipEventId), { type: 'expire', now: NOW + REACTION_SHOWN_MS }, reaction('$r2', ann.userId, ann.membershipEventId, '🎉', 'party', NOW + REACTION_SHOWN_MS)], [`${ann.identity} 🎉 party`], []],
  ];
  for (const [name, inputs, expectedShown, expectedDrops] of table) {
    it(name, () => {
      const { state, dropped } = run(inputs);
      expect(shown(state)).to.deep.equal(expectedShown);
      expect(dropped.length).to.equal(expectedDrops.length, dropped.join('; '));
      expectedDrops.forEach((pattern, index) => expect(dropped[index]).to.match(pattern));
    });
  }

  it('an input that changes nothing returns the same state (no snapshot churn)', () => {
    const { state } = run([]);
    expect(nextReactions(state, { type: 'expire', now: NOW }).state).to.equal(state);
    expect(nextReactions(state, { type: 'redaction', redacts: '$nothing' }).state).to.equal(state);
    expect(nextReactions(state, hand('$h', ann.userId, '$message')).state).to.equal(state);
  });
});
