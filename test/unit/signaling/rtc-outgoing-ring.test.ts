import { expect } from '@open-wc/testing';
import type { OutgoingRing } from '../../../signaling/rtc/group-call.types.js';
import { nextOutgoingRing, type OutgoingRingEvent } from '../../../signaling/rtc/outgoing-ring.js';

const ringing: OutgoingRing = { eventId: '$ring', state: 'ringing', declinedBy: [] };
const RUNG = ['@bob:example.org', '@cat:example.org'];
const declined = (by: string, rung: readonly string[] = RUNG): OutgoingRingEvent => ({ type: 'declined', by, rung });

describe('nextOutgoingRing: the ring a call sent, until answered, declined by everyone rung, or expired', () => {
  const table: [string, OutgoingRing, OutgoingRingEvent, Partial<OutgoingRing>][] = [
    ['another member joining answers it', ringing, { type: 'answered' }, { state: 'answered' }],
    ['its lifetime ends it', ringing, { type: 'expired' }, { state: 'expired' }],
    ['one of two rung declining keeps it ringing, and says who', ringing, declined('@bob:example.org'), { state: 'ringing', declinedBy: ['@bob:example.org'] }],
    ['the last of those rung declining ends it', { ...ringing, declinedBy: ['@bob:example.org'] }, declined('@cat:example.org'),
      { state: 'declined', declinedBy: ['@bob:example.org', '@cat:example.org'] }],
    ['in a DM the one other member declining ends it', ringing, declined('@bob:example.org', ['@bob:example.org']), { state: 'declined' }],
    ['the same person declining twice counts once', { ...ringing, declinedBy: ['@bob:example.org'] }, declined('@bob:example.org'),
      { state: 'ringing', declinedBy: ['@bob:example.org'] }],
    ['with nobody known to be rung, a decline does not end it', ringing, declined('@bob:example.org', []), { state: 'ringing', declinedBy: ['@bob:example.org'] }],
    ['an answered ring stays answered (a late decline)', { ...ringing, state: 'answered' }, declined('@bob:example.org', ['@bob:example.org']), { state: 'answered', declinedBy: [] }],
    ['an expired ring is not answered afterwards', { ...ringing, state: 'expired' }, { type: 'answered' }, { state: 'expired' }],
    ['a declined ring does not expire afterwards', { ...ringing, state: 'declined' }, { type: 'expired' }, { state: 'declined' }],
  ];
  for (const [name, before, event, expected] of table) {
    it(name, () => {
      const after = nextOutgoingRing(before, event);
      expect(after).to.deep.include(expected);
      expect(after.eventId).to.equal('$ring');
    });
  }

  it('returns the same object when nothing changes (the snapshot is not renewed)', () => {
    const answered = { ...ringing, state: 'answered' as const };
    expect(nextOutgoingRing(answered, { type: 'expired' })).to.equal(answered);
  });
});
