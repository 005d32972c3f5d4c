import { expect } from '@open-wc/testing';
import { rosterOf, type MembershipRecord } from '../../../signaling/rtc/roster.js';

const NOW = 1_800_000_000_000;
const SFU = 'https://sfu.example.org';
const OWN = '@me:example.org:MYDEVICE';

function membership(userId: string, deviceId: string, change: Partial<MembershipRecord> = {}): MembershipRecord {
  return {
    sender: userId,
    userId,
    deviceId,
    memberId: `${userId}:${deviceId}`,
    rtcBackendIdentity: `${userId}:${deviceId}`,
    expiresAt: NOW + 60_000,
    transport: { livekitServiceUrl: SFU },
    transportCount: 1,
    stateKey: `_${userId}_${deviceId}_m.call`,
    ...change,
  };
}

const ann = membership('@ann:example.org', 'ANN');
const bob = membership('@bob:example.org', 'BOB');

describe('rosterOf: only current, valid members are participants', () => {
  const table: [string, MembershipRecord[], string[], { members: [string, boolean][]; dropped: RegExp[] }][] = [
    ['members whose LiveKit participant arrived are present', [ann, bob], [ann.rtcBackendIdentity, bob.rtcBackendIdentity],
      { members: [[ann.rtcBackendIdentity, true], [bob.rtcBackendIdentity, true]], dropped: [] }],
    ['a membership whose participant has not arrived is connecting (present false), not left out', [ann], [],
      { members: [[ann.rtcBackendIdentity, false]], dropped: [] }],
    ['a LiveKit participant without a membership is nobody', [ann], [ann.rtcBackendIdentity, '@intruder:evil.example:X'],
      { members: [[ann.rtcBackendIdentity, true]], dropped: [] }],
    ['our own membership is not a remote member', [membership('@me:example.org', 'MYDEVICE'), ann], [],
      { members: [[ann.rtcBackendIdentity, false]], dropped: [] }],
    ['the same identity twice counts once', [ann, ann], [],
      { members: [[ann.rtcBackendIdentity, false]], dropped: [] }],
    ['membership order is kept (oldest first)', [bob, ann], [],
      { members: [[bob.rtcBackendIdentity, false], [ann.rtcBackendIdentity, false]], dropped: [] }],
    ['an expired membership is dropped', [membership('@old:example.org', 'OLD', { expiresAt: NOW - 1 }), ann], [],
      { members: [[ann.rtcBackendIdentity, false]], dropped: [/expired/] }],
    ['a membership that does not say when it expires is kept', [membership('@ann:example.org', 'ANN', { expiresAt: undefined })], [],
      { members: [[ann.rtcBackendIdentity, false]], dropped: [] }],
    ['a membership sent by someone else for a user is dropped (spoofed sender)', [membership('@ann:example.org', 'ANN', { sender: '@mallory:example.org' })], [ann.rtcBackendIdentity],
      { members: [], dropped: [/sent by @mallory:example.org for @ann:example.org/] }],
    ['a membership without a device is dropped', [membership('@ann:example.org', '')], [],
      { members: [], dropped: [/names no device/] }],
    ['the state key forms of Element Call, of older clients and the sticky form (none) are all members', [
      membership('@ann:example.org', 'ANN', { stateKey: '@ann:example.org_ANN_m.call' }),
      membership('@bob:example.org', 'BOB', { stateKey: '@bob:example.org' }),
      membership('@cat:example.org', 'CAT', { stateKey: undefined }),
    ], [], { members: [['@ann:example.org:ANN', false], ['@bob:example.org:BOB', false], ['@cat:example.org:CAT', false]], dropped: [] }],
    ['a state key naming someone else is a forgery, dropped', [membership('@mallory:example.org', 'ANN', { stateKey: '_@ann:example.org_ANN_m.call' })], [],
      { members: [], dropped: [/state key "_@ann:example.org_ANN_m.call" is not @mallory:example.org's/] }],
    ['a user id that only starts like the sender\'s is not theirs', [membership('@ann:example.org', 'X', { stateKey: '_@ann:example.org.evil_X_m.call' })], [],
      { members: [], dropped: [/is not @ann:example.org's/] }],
    ['a membership listing more transports than any client does is dropped', [membership('@ann:example.org', 'ANN', { transportCount: 1000 })], [],
      { members: [], dropped: [/1000 transports/] }],
    ['a membership whose transport the kit cannot use is dropped with the reason', [membership('@ann:example.org', 'ANN', { transport: { refused: 'type "full_mesh" is not a LiveKit transport' } })], [ann.rtcBackendIdentity],
      { members: [], dropped: [/not one the kit can use: type "full_mesh"/] }],
  ];

  for (const [name, memberships, present, expected] of table) {
    it(name, () => {
      const roster = rosterOf(memberships, new Set(present), OWN, NOW);
      expect(roster.members.map((member) => [member.identity, member.present])).to.deep.equal(expected.members);
      expect(roster.dropped).to.have.length(expected.dropped.length);
      roster.dropped.forEach((dropped, index) => expect(dropped.reason).to.match(expected.dropped[index]!));
    });
  }

  it('carries what the call needs of each member: user, device, member id and their SFU', () => {
    const [member] = rosterOf([membership('@ann:example.org', 'ANN', { transport: { livekitServiceUrl: 'https://other-sfu.example.org' } })], new Set(), OWN, NOW).members;
    expect(member).to.deep.equal({
      identity: '@ann:example.org:ANN', userId: '@ann:example.org', deviceId: 'ANN', memberId: '@ann:example.org:ANN',
      livekitServiceUrl: 'https://other-sfu.example.org', present: false,
    });
  });
});
