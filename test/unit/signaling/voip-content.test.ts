import { expect } from '@open-wc/testing';
import {
  CALL_EVENT_TYPES,
  HANGUP_REASONS,
  MAX_CANDIDATES,
  MAX_LIFETIME_MS,
  MAX_SDP_LENGTH,
  buildAnswer,
  buildCandidates,
  buildHangup,
  buildInvite,
  buildNegotiate,
  buildReject,
  buildSdpStreamMetadataChanged,
  buildSelectAnswer,
  parseCallEvent,
  type InboundCallEvent,
  type SdpStreamMetadata,
} from '../../../signaling/voip/content.js';

// Shaped like matrix-js-sdk v42's events: call_id = Date.now() + 16 random alphanumerics, party_id =
// the (Synapse-generated) device id, MediaStream ids as Chromium makes them.
const CALL_ID = '1721234567890aB3dE5fG7hI9jK1l';
const PARTY_ID = 'QWERTYUIOP';
const USERMEDIA_STREAM = '6f1c7a52-2c4e-4b1a-9d8e-3f5a7b9c1d2e';
const SCREEN_STREAM = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=msid-semantic: WMS ' + USERMEDIA_STREAM,
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=sendrecv',
  `a=msid:${USERMEDIA_STREAM} 1b7d4c1e-0a9f-4d3b-8e2c-5f6a7b8c9d0e`,
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1',
  '',
].join('\r\n');
const CANDIDATE_LINE = 'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag EsAw network-cost 999';

const USERMEDIA_METADATA = { [USERMEDIA_STREAM]: { purpose: 'm.usermedia', audio_muted: false, video_muted: false } };
const JS_SDK_CAPABILITIES = { 'm.call.transferee': false, 'm.call.dtmf': false };
const COMMON = { version: '1', call_id: CALL_ID, party_id: PARTY_ID };

const INVITE = {
  ...COMMON,
  offer: { type: 'offer', sdp: SDP },
  lifetime: 60000,
  invitee: '@bob:example.org',
  sdp_stream_metadata: USERMEDIA_METADATA,
  capabilities: JS_SDK_CAPABILITIES,
};
const ANSWER = {
  ...COMMON,
  answer: { type: 'answer', sdp: SDP },
  sdp_stream_metadata: USERMEDIA_METADATA,
  capabilities: JS_SDK_CAPABILITIES,
};
const CANDIDATES = {
  ...COMMON,
  candidates: [
    { candidate: CANDIDATE_LINE, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'EsAw' },
    { candidate: '' },
  ],
};
const NEGOTIATE = {
  ...COMMON,
  description: { type: 'offer', sdp: SDP },
  lifetime: 60000,
  sdp_stream_metadata: {
    ...USERMEDIA_METADATA,
    [SCREEN_STREAM]: { purpose: 'm.screenshare', audio_muted: false, video_muted: false },
  },
};
const METADATA_CHANGED = {
  ...COMMON,
  sdp_stream_metadata: { [USERMEDIA_STREAM]: { purpose: 'm.usermedia', audio_muted: true, video_muted: false } },
};
const VALID_CONTENT: Record<string, object> = {
  'm.call.invite': INVITE,
  'm.call.candidates': CANDIDATES,
  'm.call.answer': ANSWER,
  'm.call.select_answer': { ...COMMON, selected_party_id: 'ASDFGHJKLZ' },
  'm.call.reject': COMMON,
  'm.call.negotiate': NEGOTIATE,
  'm.call.hangup': { ...COMMON, reason: 'user_hangup' },
  'm.call.sdp_stream_metadata_changed': METADATA_CHANGED,
  'm.call.asserted_identity': { ...COMMON, asserted_identity: { id: '@+15550100:example.org' } },
};

const USERMEDIA: SdpStreamMetadata = new Map([[USERMEDIA_STREAM, { purpose: 'm.usermedia', audioMuted: false, videoMuted: false }]]);
const NO_CAPABILITIES = { transferee: false, dtmf: false };
const V1 = { version: '1', callId: CALL_ID, partyId: PARTY_ID } as const;

function parseOk(type: string, content: unknown): InboundCallEvent {
  const result = parseCallEvent(type, content);
  if (!result.ok) expect.fail(`expected ${type} to parse, got: ${result.reason}`);
  return result.value;
}

function without(content: object, key: string): object {
  return Object.fromEntries(Object.entries(content).filter(([k]) => k !== key));
}

describe('signaling/voip/content parseCallEvent', () => {
  describe('accepts valid content', () => {
    const VALID: { name: string; type: string; content: unknown; expected: InboundCallEvent }[] = [
      {
        name: 'a matrix-js-sdk invite',
        type: 'm.call.invite',
        content: INVITE,
        expected: {
          ...V1,
          type: 'm.call.invite',
          offer: { type: 'offer', sdp: SDP },
          lifetime: 60000,
          invitee: '@bob:example.org',
          streamMetadata: USERMEDIA,
          capabilities: NO_CAPABILITIES,
          warnings: [],
        },
      },
      {
        name: 'an invite with no invitee, unstable metadata key and capabilities set',
        type: 'm.call.invite',
        content: {
          ...without(without(INVITE, 'invitee'), 'sdp_stream_metadata'),
          'org.matrix.msc3077.sdp_stream_metadata': USERMEDIA_METADATA,
          capabilities: { 'm.call.transferee': true, 'm.call.dtmf': true, 'org.example.future': 'x' },
        },
        expected: {
          ...V1,
          type: 'm.call.invite',
          offer: { type: 'offer', sdp: SDP },
          lifetime: 60000,
          invitee: undefined,
          streamMetadata: USERMEDIA,
          capabilities: { transferee: true, dtmf: true },
          warnings: [],
        },
      },
      {
        name: 'an invite whose optional fields are null',
        type: 'm.call.invite',
        content: { ...INVITE, invitee: null, sdp_stream_metadata: null, capabilities: null },
        expected: {
          ...V1,
          type: 'm.call.invite',
          offer: { type: 'offer', sdp: SDP },
          lifetime: 60000,
          invitee: undefined,
          streamMetadata: undefined,
          capabilities: NO_CAPABILITIES,
          warnings: [],
        },
      },
      {
        name: 'a legacy version 0 invite without party_id or metadata',
        type: 'm.call.invite',
        content: { version: 0, call_id: 'c1721234567890.123', offer: { type: 'offer', sdp: SDP }, lifetime: 60000 },
        expected: {
          version: 0,
          callId: 'c1721234567890.123',
          partyId: undefined,
          type: 'm.call.invite',
          offer: { type: 'offer', sdp: SDP },
          lifetime: 60000,
          invitee: undefined,
          streamMetadata: undefined,
          capabilities: NO_CAPABILITIES,
          warnings: [],
        },
      },
      {
        name: 'matrix-js-sdk candidates (RTCIceCandidate.toJSON() plus end-of-candidates)',
        type: 'm.call.candidates',
        content: CANDIDATES,
        expected: {
          ...V1,
          type: 'm.call.candidates',
          candidates: [
            { candidate: CANDIDATE_LINE, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'EsAw' },
            { candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
          ],
          dropped: 0,
          warnings: [],
        },
      },
      {
        name: 'candidates with only sdpMid or only sdpMLineIndex',
        type: 'm.call.candidates',
        content: {
          ...COMMON,
          candidates: [
            { candidate: CANDIDATE_LINE, sdpMid: null, sdpMLineIndex: 1, usernameFragment: null },
            { candidate: CANDIDATE_LINE, sdpMid: 'audio' },
          ],
        },
        expected: {
          ...V1,
          type: 'm.call.candidates',
          candidates: [
            { candidate: CANDIDATE_LINE, sdpMid: null, sdpMLineIndex: 1, usernameFragment: null },
            { candidate: CANDIDATE_LINE, sdpMid: 'audio', sdpMLineIndex: null, usernameFragment: null },
          ],
          dropped: 0,
          warnings: [],
        },
      },
      {
        name: 'a matrix-js-sdk answer',
        type: 'm.call.answer',
        content: ANSWER,
        expected: {
          ...V1,
          type: 'm.call.answer',
          answer: { type: 'answer', sdp: SDP },
          streamMetadata: USERMEDIA,
          capabilities: NO_CAPABILITIES,
          warnings: [],
        },
      },
      {
        name: 'an answer listing only the dtmf capability',
        type: 'm.call.answer',
        content: { ...without(ANSWER, 'sdp_stream_metadata'), capabilities: { 'm.call.dtmf': true } },
        expected: {
          ...V1,
          type: 'm.call.answer',
          answer: { type: 'answer', sdp: SDP },
          streamMetadata: undefined,
          capabilities: { transferee: false, dtmf: true },
          warnings: [],
        },
      },
      {
        name: 'a select_answer',
        type: 'm.call.select_answer',
        content: { ...COMMON, selected_party_id: 'ASDFGHJKLZ' },
        expected: { ...V1, type: 'm.call.select_answer', selectedPartyId: 'ASDFGHJKLZ', warnings: [] },
      },
      {
        name: 'a reject',
        type: 'm.call.reject',
        content: COMMON,
        expected: { ...V1, type: 'm.call.reject', warnings: [] },
      },
      {
        name: 'a matrix-js-sdk negotiate adding a screenshare',
        type: 'm.call.negotiate',
        content: NEGOTIATE,
        expected: {
          ...V1,
          type: 'm.call.negotiate',
          description: { type: 'offer', sdp: SDP },
          lifetime: 60000,
          streamMetadata: new Map([
            [USERMEDIA_STREAM, { purpose: 'm.usermedia', audioMuted: false, videoMuted: false }],
            [SCREEN_STREAM, { purpose: 'm.screenshare', audioMuted: false, videoMuted: false }],
          ]),
          warnings: [],
        },
      },
      {
        name: 'a negotiate answer without lifetime or metadata',
        type: 'm.call.negotiate',
        content: { ...COMMON, description: { type: 'answer', sdp: SDP } },
        expected: {
          ...V1,
          type: 'm.call.negotiate',
          description: { type: 'answer', sdp: SDP },
          lifetime: undefined,
          streamMetadata: undefined,
          warnings: [],
        },
      },
      {
        name: 'a metadata change (audio muted)',
        type: 'm.call.sdp_stream_metadata_changed',
        content: METADATA_CHANGED,
        expected: {
          ...V1,
          type: 'm.call.sdp_stream_metadata_changed',
          streamMetadata: new Map([[USERMEDIA_STREAM, { purpose: 'm.usermedia', audioMuted: true, videoMuted: false }]]),
          warnings: [],
        },
      },
      {
        name: 'a metadata change under the unstable type and unstable key',
        type: 'org.matrix.call.sdp_stream_metadata_changed',
        content: { ...COMMON, 'org.matrix.msc3077.sdp_stream_metadata': { [USERMEDIA_STREAM]: { purpose: 'm.usermedia', video_muted: true } } },
        expected: {
          ...V1,
          type: 'm.call.sdp_stream_metadata_changed',
          streamMetadata: new Map([[USERMEDIA_STREAM, { purpose: 'm.usermedia', audioMuted: false, videoMuted: true }]]),
          warnings: [],
        },
      },
      {
        name: 'an asserted identity under the unstable type',
        type: 'org.matrix.call.asserted_identity',
        content: { ...COMMON, asserted_identity: { id: '@+15550100:example.org', display_name: 'Front desk' } },
        expected: {
          ...V1,
          type: 'm.call.asserted_identity',
          assertedIdentity: { id: '@+15550100:example.org', displayName: 'Front desk', avatarUrl: undefined },
          warnings: [],
        },
      },
    ];

    for (const { name, type, content, expected } of VALID) {
      it(name, () => {
        expect(parseOk(type, content)).to.deep.equal(expected);
      });
    }

    it('still parses content that went through JSON', () => {
      for (const [type, content] of Object.entries(VALID_CONTENT)) {
        expect(parseOk(type, JSON.parse(JSON.stringify(content))).type, type).to.equal(type);
      }
    });
  });

  describe('version and ids', () => {
    const VERSIONS: { name: string; version: unknown; expected: '1' | 0 }[] = [
      { name: 'integer 0 is legacy', version: 0, expected: 0 },
      { name: 'string "1"', version: '1', expected: '1' },
      { name: 'numeric 1 reads as "1"', version: 1, expected: '1' },
      { name: 'string "0" reads as "1"', version: '0', expected: '1' },
      { name: 'a future "2" reads as "1"', version: '2', expected: '1' },
      { name: 'an experimental "1.1-foo" reads as "1"', version: '1.1-foo', expected: '1' },
      { name: 'null reads as "1"', version: null, expected: '1' },
      { name: 'missing reads as "1"', version: undefined, expected: '1' },
    ];
    for (const { name, version, expected } of VERSIONS) {
      it(`version: ${name}`, () => {
        const content = version === undefined ? without(COMMON, 'version') : { ...COMMON, version };
        const value = parseOk('m.call.reject', content);
        expect(value.version).to.equal(expected);
        expect(value.partyId).to.equal(expected === 0 ? undefined : PARTY_ID);
      });
    }

    it('ignores party_id on version 0 events, as matrix-js-sdk does', () => {
      expect(parseOk('m.call.hangup', { ...COMMON, version: 0 }).partyId).to.equal(undefined);
    });

    const GOOD_CALL_IDS = ['a', 'c1721234567890.5123', 'Az09._~-', 'x'.repeat(255)];
    for (const callId of GOOD_CALL_IDS) {
      it(`accepts call_id ${JSON.stringify(callId.slice(0, 20))} (length ${callId.length})`, () => {
        expect(parseOk('m.call.reject', { ...COMMON, call_id: callId }).callId).to.equal(callId);
      });
    }

    // Device ids have no grammar, and matrix-js-sdk sends the device id as party_id.
    const GOOD_PARTY_IDS = ['D', 'dev:ice/1+=!', 'ÄÖÜ-device', 'p'.repeat(255)];
    for (const partyId of GOOD_PARTY_IDS) {
      it(`accepts party_id and selected_party_id ${JSON.stringify(partyId.slice(0, 20))}`, () => {
        expect(parseOk('m.call.reject', { ...COMMON, party_id: partyId }).partyId).to.equal(partyId);
        const value = parseOk('m.call.select_answer', { ...COMMON, selected_party_id: partyId });
        expect(value.type === 'm.call.select_answer' && value.selectedPartyId).to.equal(partyId);
      });
    }

    const GOOD_INVITEES = ['@bob:example.org', '@bob:example.org:8448', '@Historical User!:example.org', '@:example.org'];
    for (const invitee of GOOD_INVITEES) {
      it(`accepts invitee ${invitee}`, () => {
        const value = parseOk('m.call.invite', { ...INVITE, invitee });
        expect(value.type === 'm.call.invite' && value.invitee).to.equal(invitee);
      });
    }
  });

  describe('hangup reasons', () => {
    for (const reason of HANGUP_REASONS) {
      it(`keeps ${reason}`, () => {
        const value = parseOk('m.call.hangup', { ...COMMON, reason });
        expect(value).to.deep.include({ reason, rawReason: reason, warnings: [] });
      });
    }

    const NORMALISED: { name: string; reason: unknown; expected: string; rawReason: string | undefined; warned: boolean }[] = [
      { name: 'a missing reason (version 0 clients, matrix-js-sdk to them)', reason: undefined, expected: 'user_hangup', rawReason: undefined, warned: false },
      { name: 'a null reason', reason: null, expected: 'user_hangup', rawReason: undefined, warned: false },
      { name: 'an unknown reason', reason: 'new_session', expected: 'unknown_error', rawReason: 'new_session', warned: true },
      { name: 'a reason of the wrong type', reason: 42, expected: 'unknown_error', rawReason: undefined, warned: true },
    ];
    for (const { name, reason, expected, rawReason, warned } of NORMALISED) {
      it(`reads ${name} as ${expected}, keeping the hangup`, () => {
        const content = reason === undefined ? COMMON : { ...COMMON, reason };
        const value = parseOk('m.call.hangup', content);
        expect(value).to.deep.include({ type: 'm.call.hangup', reason: expected, rawReason });
        expect(value.warnings.some((w) => w.startsWith('reason:'))).to.equal(warned);
      });
    }
  });

  describe('drops bad parts and keeps the rest', () => {
    const GOOD = { candidate: CANDIDATE_LINE, sdpMid: '0', sdpMLineIndex: 0 };
    const BAD_CANDIDATES: { name: string; entry: unknown; field: string }[] = [
      { name: 'null', entry: null, field: 'expected an object' },
      { name: 'an array', entry: [CANDIDATE_LINE], field: 'expected an object' },
      { name: 'no candidate', entry: { sdpMid: '0', sdpMLineIndex: 0 }, field: 'candidate' },
      { name: 'a numeric candidate', entry: { ...GOOD, candidate: 7 }, field: 'candidate' },
      { name: 'a numeric sdpMid', entry: { ...GOOD, sdpMid: 0 }, field: 'sdpMid' },
      { name: 'a negative sdpMLineIndex', entry: { ...GOOD, sdpMLineIndex: -1 }, field: 'sdpMLineIndex' },
      { name: 'a fractional sdpMLineIndex', entry: { ...GOOD, sdpMLineIndex: 0.5 }, field: 'sdpMLineIndex' },
      { name: 'an sdpMLineIndex above 65535', entry: { ...GOOD, sdpMLineIndex: 65536 }, field: 'sdpMLineIndex' },
      { name: 'a string sdpMLineIndex', entry: { ...GOOD, sdpMLineIndex: '0' }, field: 'sdpMLineIndex' },
      { name: 'a numeric usernameFragment', entry: { ...GOOD, usernameFragment: 5 }, field: 'usernameFragment' },
      { name: 'a candidate with neither sdpMid nor sdpMLineIndex', entry: { candidate: CANDIDATE_LINE }, field: 'sdpMid or sdpMLineIndex' },
    ];
    for (const { name, entry, field } of BAD_CANDIDATES) {
      it(`drops a candidate entry that is ${name}`, () => {
        const value = parseOk('m.call.candidates', { ...COMMON, candidates: [GOOD, entry, { candidate: '' }] });
        if (value.type !== 'm.call.candidates') expect.fail(value.type);
        expect(value.candidates.map((c) => c.candidate)).to.deep.equal([CANDIDATE_LINE, '']);
        expect(value.dropped).to.equal(1);
        expect(value.warnings).to.have.length(1);
        expect(value.warnings[0]).to.contain('candidates[1]').and.contain(field);
      });
    }

    const BAD_STREAMS: { name: string; id: string; entry: unknown; field: string }[] = [
      { name: 'an unknown purpose', id: 'other', entry: { purpose: 'm.hologram' }, field: 'purpose' },
      { name: 'no purpose', id: 'other', entry: { audio_muted: true }, field: 'purpose' },
      { name: 'a numeric purpose', id: 'other', entry: { purpose: 1 }, field: 'purpose' },
      { name: 'a string audio_muted', id: 'other', entry: { purpose: 'm.usermedia', audio_muted: 'true' }, field: 'audio_muted' },
      { name: 'a numeric video_muted', id: 'other', entry: { purpose: 'm.screenshare', video_muted: 1 }, field: 'video_muted' },
      { name: 'null', id: 'other', entry: null, field: 'expected an object' },
      { name: 'an array', id: 'other', entry: ['m.usermedia'], field: 'expected an object' },
      { name: 'an empty stream id', id: '', entry: { purpose: 'm.usermedia' }, field: 'stream id' },
      { name: 'a stream id over 255 characters', id: 's'.repeat(256), entry: { purpose: 'm.usermedia' }, field: 'stream id' },
    ];
    for (const { name, id, entry, field } of BAD_STREAMS) {
      it(`ignores a stream whose metadata has ${name}`, () => {
        const value = parseOk('m.call.answer', { ...ANSWER, sdp_stream_metadata: { ...USERMEDIA_METADATA, [id]: entry } });
        if (value.type !== 'm.call.answer') expect.fail(value.type);
        expect(value.streamMetadata).to.deep.equal(USERMEDIA);
        expect(value.warnings).to.have.length(1);
        expect(value.warnings[0]).to.contain('sdp_stream_metadata').and.contain(field);
      });
    }

    it('keeps an empty metadata map when every stream is ignored (so no stream is shown)', () => {
      const value = parseOk('m.call.sdp_stream_metadata_changed', { ...COMMON, sdp_stream_metadata: { x: { purpose: 'm.other' } } });
      if (value.type !== 'm.call.sdp_stream_metadata_changed') expect.fail(value.type);
      expect(value.streamMetadata.size).to.equal(0);
      expect(value.warnings).to.have.length(1);
    });

    it('reads the spec example\'s "audio_muted:" typo as an unknown key, so audio_muted stays false', () => {
      const value = parseOk('m.call.sdp_stream_metadata_changed', {
        ...COMMON,
        sdp_stream_metadata: { [USERMEDIA_STREAM]: { purpose: 'm.usermedia', 'audio_muted:': true, video_muted: true } },
      });
      if (value.type !== 'm.call.sdp_stream_metadata_changed') expect.fail(value.type);
      expect(value.streamMetadata.get(USERMEDIA_STREAM)).to.deep.equal({ purpose: 'm.usermedia', audioMuted: false, videoMuted: true });
    });

    it('prefers the stable metadata key over the unstable one', () => {
      const value = parseOk('m.call.answer', {
        ...ANSWER,
        'org.matrix.msc3077.sdp_stream_metadata': { [SCREEN_STREAM]: { purpose: 'm.screenshare' } },
      });
      if (value.type !== 'm.call.answer') expect.fail(value.type);
      expect(value.streamMetadata).to.deep.equal(USERMEDIA);
    });

    for (const [type, content] of [['m.call.invite', INVITE], ['m.call.negotiate', NEGOTIATE]] as const) {
      it(`reads a ${type} lifetime beyond ten minutes (1e15 ms, past what setTimeout holds) as ten minutes, with a warning`, () => {
        const value = parseOk(type, { ...content, lifetime: 1e15 });
        if (value.type !== 'm.call.invite' && value.type !== 'm.call.negotiate') expect.fail(value.type);
        expect(value.lifetime).to.equal(MAX_LIFETIME_MS);
        expect(MAX_LIFETIME_MS).to.equal(600_000);
        expect(value.warnings).to.deep.equal([`lifetime: 1000000000000000 ms is more than the ${MAX_LIFETIME_MS} ms we allow; read as ${MAX_LIFETIME_MS}`]);
      });
    }

    it('keeps a lifetime of exactly ten minutes as it is, without a warning', () => {
      const value = parseOk('m.call.invite', { ...INVITE, lifetime: MAX_LIFETIME_MS });
      if (value.type !== 'm.call.invite') expect.fail(value.type);
      expect(value.lifetime).to.equal(MAX_LIFETIME_MS);
      expect(value.warnings).to.deep.equal([]);
    });

    it('reads a non-boolean capability as unsupported, with a warning', () => {
      const value = parseOk('m.call.answer', { ...ANSWER, capabilities: { 'm.call.transferee': 'yes', 'm.call.dtmf': true } });
      if (value.type !== 'm.call.answer') expect.fail(value.type);
      expect(value.capabilities).to.deep.equal({ transferee: false, dtmf: true });
      expect(value.warnings).to.have.length(1);
      expect(value.warnings[0]).to.contain('m.call.transferee');
    });
  });

  describe('rejects malformed content, naming the field', () => {
    const offer = INVITE.offer;
    const hugeSdp = SDP + 'a='.padEnd(MAX_SDP_LENGTH, 'x');
    const MALFORMED: { name: string; type: string; content: unknown; field: string }[] = [
      { name: 'null content', type: 'm.call.invite', content: null, field: 'content' },
      { name: 'array content', type: 'm.call.invite', content: [INVITE], field: 'content' },
      { name: 'string content', type: 'm.call.hangup', content: JSON.stringify(COMMON), field: 'content' },
      { name: 'numeric content', type: 'm.call.reject', content: 1, field: 'content' },
      { name: 'no content', type: 'm.call.reject', content: undefined, field: 'content' },

      { name: 'missing call_id', type: 'm.call.invite', content: without(INVITE, 'call_id'), field: 'call_id' },
      { name: 'numeric call_id', type: 'm.call.invite', content: { ...INVITE, call_id: 1721234567890 }, field: 'call_id' },
      { name: 'null call_id', type: 'm.call.hangup', content: { ...COMMON, call_id: null }, field: 'call_id' },
      { name: 'empty call_id', type: 'm.call.answer', content: { ...ANSWER, call_id: '' }, field: 'call_id' },
      { name: 'call_id with a space', type: 'm.call.answer', content: { ...ANSWER, call_id: 'abc def' }, field: 'call_id' },
      { name: 'call_id with a slash', type: 'm.call.candidates', content: { ...CANDIDATES, call_id: 'abc/def' }, field: 'call_id' },
      { name: 'call_id with non-ASCII', type: 'm.call.reject', content: { ...COMMON, call_id: 'anruf-ä' }, field: 'call_id' },
      { name: 'call_id of 256 characters', type: 'm.call.reject', content: { ...COMMON, call_id: 'x'.repeat(256) }, field: 'call_id' },

      { name: 'missing party_id on a version "1" event', type: 'm.call.invite', content: without(INVITE, 'party_id'), field: 'party_id' },
      { name: 'missing party_id with numeric version 1', type: 'm.call.answer', content: { ...without(ANSWER, 'party_id'), version: 1 }, field: 'party_id' },
      { name: 'missing party_id with version "0"', type: 'm.call.reject', content: { ...without(COMMON, 'party_id'), version: '0' }, field: 'party_id' },
      { name: 'missing party_id and version', type: 'm.call.hangup', content: { call_id: CALL_ID }, field: 'party_id' },
      { name: 'numeric party_id', type: 'm.call.candidates', content: { ...CANDIDATES, party_id: 12345678 }, field: 'party_id' },
      { name: 'null party_id', type: 'm.call.candidates', content: { ...CANDIDATES, party_id: null }, field: 'party_id' },
      { name: 'empty party_id', type: 'm.call.hangup', content: { ...COMMON, party_id: '' }, field: 'party_id' },
      { name: 'party_id of 256 characters', type: 'm.call.hangup', content: { ...COMMON, party_id: 'p'.repeat(256) }, field: 'party_id' },

      { name: 'missing offer', type: 'm.call.invite', content: without(INVITE, 'offer'), field: 'offer' },
      { name: 'null offer', type: 'm.call.invite', content: { ...INVITE, offer: null }, field: 'offer' },
      { name: 'offer as a string', type: 'm.call.invite', content: { ...INVITE, offer: SDP }, field: 'offer' },
      { name: 'offer as an array', type: 'm.call.invite', content: { ...INVITE, offer: [offer] }, field: 'offer' },
      { name: 'offer without type', type: 'm.call.invite', content: { ...INVITE, offer: { sdp: SDP } }, field: 'offer.type' },
      { name: 'offer with a numeric type', type: 'm.call.invite', content: { ...INVITE, offer: { ...offer, type: 1 } }, field: 'offer.type' },
      { name: 'offer with a type WebRTC rejects', type: 'm.call.invite', content: { ...INVITE, offer: { ...offer, type: 'Offer' } }, field: 'offer.type' },
      { name: 'offer without sdp', type: 'm.call.invite', content: { ...INVITE, offer: { type: 'offer' } }, field: 'offer.sdp' },
      { name: 'offer with a numeric sdp', type: 'm.call.invite', content: { ...INVITE, offer: { ...offer, sdp: 0 } }, field: 'offer.sdp' },
      { name: 'offer with an empty sdp', type: 'm.call.invite', content: { ...INVITE, offer: { ...offer, sdp: '' } }, field: 'offer.sdp' },
      { name: 'offer with a huge sdp', type: 'm.call.invite', content: { ...INVITE, offer: { ...offer, sdp: hugeSdp } }, field: 'huge SDP' },

      { name: 'missing lifetime', type: 'm.call.invite', content: without(INVITE, 'lifetime'), field: 'lifetime' },
      { name: 'null lifetime', type: 'm.call.invite', content: { ...INVITE, lifetime: null }, field: 'lifetime' },
      { name: 'string lifetime', type: 'm.call.invite', content: { ...INVITE, lifetime: '60000' }, field: 'lifetime' },
      { name: 'zero lifetime', type: 'm.call.invite', content: { ...INVITE, lifetime: 0 }, field: 'lifetime' },
      { name: 'negative lifetime', type: 'm.call.invite', content: { ...INVITE, lifetime: -60000 }, field: 'lifetime' },
      { name: 'NaN lifetime', type: 'm.call.invite', content: { ...INVITE, lifetime: Number.NaN }, field: 'lifetime' },
      { name: 'infinite lifetime', type: 'm.call.invite', content: { ...INVITE, lifetime: Number.POSITIVE_INFINITY }, field: 'lifetime' },

      { name: 'numeric invitee', type: 'm.call.invite', content: { ...INVITE, invitee: 7 }, field: 'invitee' },
      { name: 'invitee without sigil', type: 'm.call.invite', content: { ...INVITE, invitee: 'bob:example.org' }, field: 'invitee' },
      { name: 'invitee without server', type: 'm.call.invite', content: { ...INVITE, invitee: '@bob' }, field: 'invitee' },
      { name: 'invitee over 255 characters', type: 'm.call.invite', content: { ...INVITE, invitee: `@${'b'.repeat(250)}:example.org` }, field: 'invitee' },

      { name: 'metadata as a string', type: 'm.call.invite', content: { ...INVITE, sdp_stream_metadata: 'm.usermedia' }, field: 'sdp_stream_metadata' },
      { name: 'metadata as an array', type: 'm.call.answer', content: { ...ANSWER, sdp_stream_metadata: [USERMEDIA_METADATA] }, field: 'sdp_stream_metadata' },
      {
        name: 'unstable metadata as an array',
        type: 'm.call.negotiate',
        content: { ...without(NEGOTIATE, 'sdp_stream_metadata'), 'org.matrix.msc3077.sdp_stream_metadata': [] },
        field: 'org.matrix.msc3077.sdp_stream_metadata',
      },
      { name: 'capabilities as an array', type: 'm.call.invite', content: { ...INVITE, capabilities: ['m.call.dtmf'] }, field: 'capabilities' },
      { name: 'capabilities as a boolean', type: 'm.call.answer', content: { ...ANSWER, capabilities: true }, field: 'capabilities' },

      { name: 'missing answer', type: 'm.call.answer', content: without(ANSWER, 'answer'), field: 'answer' },
      { name: 'answer with a numeric type', type: 'm.call.answer', content: { ...ANSWER, answer: { type: 2, sdp: SDP } }, field: 'answer.type' },
      { name: 'answer with a huge sdp', type: 'm.call.answer', content: { ...ANSWER, answer: { type: 'answer', sdp: hugeSdp } }, field: 'answer.sdp' },

      { name: 'missing candidates', type: 'm.call.candidates', content: COMMON, field: 'candidates' },
      { name: 'candidates as an object', type: 'm.call.candidates', content: { ...COMMON, candidates: { 0: { candidate: '' } } }, field: 'candidates' },
      { name: 'empty candidates', type: 'm.call.candidates', content: { ...COMMON, candidates: [] }, field: 'candidates' },
      {
        name: `more than ${MAX_CANDIDATES} candidates`,
        type: 'm.call.candidates',
        content: { ...COMMON, candidates: Array.from({ length: MAX_CANDIDATES + 1 }, () => ({ candidate: CANDIDATE_LINE, sdpMid: '0' })) },
        field: 'candidates',
      },
      {
        name: 'only invalid candidates',
        type: 'm.call.candidates',
        content: { ...COMMON, candidates: [{ candidate: CANDIDATE_LINE }, null] },
        field: 'candidates',
      },

      { name: 'missing selected_party_id', type: 'm.call.select_answer', content: COMMON, field: 'selected_party_id' },
      { name: 'numeric selected_party_id', type: 'm.call.select_answer', content: { ...COMMON, selected_party_id: 1 }, field: 'selected_party_id' },
      { name: 'empty selected_party_id', type: 'm.call.select_answer', content: { ...COMMON, selected_party_id: '' }, field: 'selected_party_id' },

      { name: 'missing description', type: 'm.call.negotiate', content: without(NEGOTIATE, 'description'), field: 'description' },
      { name: 'description without type', type: 'm.call.negotiate', content: { ...NEGOTIATE, description: { sdp: SDP } }, field: 'description.type' },
      { name: 'description with a huge sdp', type: 'm.call.negotiate', content: { ...NEGOTIATE, description: { type: 'offer', sdp: hugeSdp } }, field: 'description.sdp' },
      { name: 'negative negotiate lifetime', type: 'm.call.negotiate', content: { ...NEGOTIATE, lifetime: -1 }, field: 'lifetime' },
      { name: 'string negotiate lifetime', type: 'm.call.negotiate', content: { ...NEGOTIATE, lifetime: '60000' }, field: 'lifetime' },

      { name: 'metadata change without metadata', type: 'm.call.sdp_stream_metadata_changed', content: COMMON, field: 'sdp_stream_metadata' },
      { name: 'metadata change with null metadata', type: 'm.call.sdp_stream_metadata_changed', content: { ...COMMON, sdp_stream_metadata: null }, field: 'sdp_stream_metadata' },

      { name: 'missing asserted_identity', type: 'm.call.asserted_identity', content: COMMON, field: 'asserted_identity' },
      { name: 'asserted_identity with a numeric id', type: 'm.call.asserted_identity', content: { ...COMMON, asserted_identity: { id: 1 } }, field: 'asserted_identity.id' },

      {
        name: 'fields only on the prototype of the content',
        type: 'm.call.invite',
        content: Object.create(INVITE) as unknown,
        field: 'call_id',
      },
      {
        name: 'fields hidden under a JSON "__proto__" key',
        type: 'm.call.hangup',
        content: JSON.parse(`{"__proto__": ${JSON.stringify(COMMON)}}`) as unknown,
        field: 'call_id',
      },
      {
        name: 'an offer whose fields are only on its prototype',
        type: 'm.call.invite',
        content: { ...INVITE, offer: Object.create(offer) as unknown },
        field: 'offer.type',
      },
    ];

    for (const { name, type, content, field } of MALFORMED) {
      it(`${type}: ${name}`, () => {
        const result = parseCallEvent(type, content);
        if (result.ok) expect.fail(`expected a rejection, got ${JSON.stringify(result.value)}`);
        expect(result.kind).to.equal('malformed');
        expect(result.reason).to.contain(field);
      });
    }

    it('does not take a missing field from a polluted Object.prototype', () => {
      const prototype = Object.prototype as Record<string, unknown>;
      prototype['party_id'] = PARTY_ID;
      try {
        const result = parseCallEvent('m.call.reject', without(COMMON, 'party_id'));
        expect(result.ok).to.equal(false);
        expect(!result.ok && result.reason).to.contain('party_id');
      } finally {
        delete prototype['party_id'];
      }
    });

    it('keeps peer strings in reasons short', () => {
      const result = parseCallEvent('m.call.reject', { ...COMMON, call_id: ' '.repeat(100_000) });
      expect(!result.ok && result.reason.length).to.be.within(1, 200);
    });
  });

  describe('prototype keys in data', () => {
    it('keeps a "__proto__" stream id as an ordinary stream and leaves Object.prototype alone', () => {
      const content = JSON.parse(
        `{"version":"1","call_id":"${CALL_ID}","party_id":"${PARTY_ID}",` +
          '"sdp_stream_metadata":{"__proto__":{"purpose":"m.usermedia","audio_muted":true}}}',
      ) as unknown;
      const value = parseOk('m.call.sdp_stream_metadata_changed', content);
      if (value.type !== 'm.call.sdp_stream_metadata_changed') expect.fail(value.type);
      expect([...value.streamMetadata]).to.deep.equal([['__proto__', { purpose: 'm.usermedia', audioMuted: true, videoMuted: false }]]);
      expect(Object.prototype).not.to.have.property('purpose');
    });

    it('ignores extra keys, "__proto__" and "constructor" included', () => {
      const content = JSON.parse(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},${JSON.stringify(COMMON).slice(1)}`) as unknown;
      expect(parseOk('m.call.reject', content)).to.deep.equal({ ...V1, type: 'm.call.reject', warnings: [] });
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    });
  });

  describe('types', () => {
    const UNSUPPORTED = [
      'm.call.replaces',
      'm.call.foo',
      'org.matrix.call.invite',
      'org.matrix.call.hangup',
      'm.room.message',
      'm.call',
      '',
      'M.CALL.INVITE',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
    ];
    for (const type of UNSUPPORTED) {
      it(`reports ${JSON.stringify(type)} as unsupported, whatever its content`, () => {
        for (const content of [INVITE, null]) {
          const result = parseCallEvent(type, content);
          if (result.ok) expect.fail(`expected a rejection for ${type}`);
          expect(result.kind).to.equal('unsupported');
          expect(result.reason).to.contain('unsupported');
        }
      });
    }

    it('parses every supported type, reporting its stable name', () => {
      for (const type of CALL_EVENT_TYPES) {
        const content = VALID_CONTENT[type];
        if (content === undefined) expect.fail(`no valid content for ${type}`);
        expect(parseOk(type, content).type).to.equal(type);
      }
    });

    it('never throws, whatever the content', () => {
      const odd: unknown[] = [
        null,
        undefined,
        0,
        'm.call.invite',
        true,
        [],
        [COMMON],
        {},
        Object.create(null),
        new Map(Object.entries(INVITE)),
        { ...COMMON, offer: [], answer: 1, description: 'x', candidates: [[], 1, 'x', null], lifetime: {}, sdp_stream_metadata: 1 },
        { ...COMMON, candidates: null, selected_party_id: {}, reason: [], asserted_identity: [], capabilities: 'x' },
        { call_id: {}, party_id: [], version: Symbol('v') },
        { ...COMMON, sdp_stream_metadata: Object.create(null), 'org.matrix.msc3077.sdp_stream_metadata': 7 },
      ];
      for (const type of [...CALL_EVENT_TYPES, 'org.matrix.call.asserted_identity', 'm.call.replaces']) {
        for (const content of odd) {
          expect(() => parseCallEvent(type, content), type).not.to.throw();
        }
      }
    });
  });
});

describe('signaling/voip/content builders', () => {
  const ids = { callId: CALL_ID, partyId: PARTY_ID };
  const screenshare: SdpStreamMetadata = new Map([
    ...USERMEDIA,
    [SCREEN_STREAM, { purpose: 'm.screenshare', audioMuted: true, videoMuted: false }],
  ]);

  it('builds an invite shaped as matrix-js-sdk sends it', () => {
    const content = buildInvite({
      ...ids,
      offer: { type: 'offer', sdp: SDP },
      lifetime: 60000,
      invitee: '@bob:example.org',
      streamMetadata: USERMEDIA,
      capabilities: NO_CAPABILITIES,
    });
    expect(content).to.deep.equal(INVITE);
  });

  it('leaves optional invite fields out rather than writing undefined', () => {
    const content = buildInvite({ ...ids, offer: { type: 'offer', sdp: SDP }, lifetime: 90000 });
    expect(Object.keys(content).sort()).to.deep.equal(['call_id', 'lifetime', 'offer', 'party_id', 'version']);
  });

  it('copies platform objects into plain JSON', () => {
    const offer = new RTCSessionDescription({ type: 'offer', sdp: SDP });
    const candidate = new RTCIceCandidate({ candidate: CANDIDATE_LINE, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'EsAw' });
    const invite = buildInvite({ ...ids, offer, lifetime: 60000 });
    const candidates = buildCandidates({ ...ids, candidates: [candidate, { candidate: '' }] });
    expect(Object.getPrototypeOf(invite.offer)).to.equal(Object.prototype);
    expect(invite.offer).to.deep.equal({ type: 'offer', sdp: SDP });
    expect(Object.getPrototypeOf(candidates.candidates[0])).to.equal(Object.prototype);
    expect(candidates.candidates).to.deep.equal([
      { candidate: CANDIDATE_LINE, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'EsAw' },
      { candidate: '' },
    ]);
  });

  it('writes a "__proto__" stream id as an own key', () => {
    const content = buildSdpStreamMetadataChanged({
      ...ids,
      streamMetadata: new Map([['__proto__', { purpose: 'm.usermedia', audioMuted: false, videoMuted: true }]]),
    });
    expect(Object.keys(content.sdp_stream_metadata)).to.deep.equal(['__proto__']);
    expect(Object.getPrototypeOf(content.sdp_stream_metadata)).to.equal(Object.prototype);
  });

  const ROUND_TRIPS: { name: string; type: string; content: object; expected: InboundCallEvent }[] = [
    {
      name: 'invite',
      type: 'm.call.invite',
      content: buildInvite({ ...ids, offer: { type: 'offer', sdp: SDP }, lifetime: 60000, streamMetadata: screenshare, capabilities: { transferee: false, dtmf: true } }),
      expected: {
        ...V1,
        type: 'm.call.invite',
        offer: { type: 'offer', sdp: SDP },
        lifetime: 60000,
        invitee: undefined,
        streamMetadata: screenshare,
        capabilities: { transferee: false, dtmf: true },
        warnings: [],
      },
    },
    {
      name: 'candidates',
      type: 'm.call.candidates',
      content: buildCandidates({ ...ids, candidates: [{ candidate: CANDIDATE_LINE, sdpMid: null, sdpMLineIndex: 0 }, {}] }),
      expected: {
        ...V1,
        type: 'm.call.candidates',
        candidates: [
          { candidate: CANDIDATE_LINE, sdpMid: null, sdpMLineIndex: 0, usernameFragment: null },
          { candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
        ],
        dropped: 0,
        warnings: [],
      },
    },
    {
      name: 'answer',
      type: 'm.call.answer',
      content: buildAnswer({ ...ids, answer: { type: 'answer', sdp: SDP }, streamMetadata: USERMEDIA, capabilities: NO_CAPABILITIES }),
      expected: { ...V1, type: 'm.call.answer', answer: { type: 'answer', sdp: SDP }, streamMetadata: USERMEDIA, capabilities: NO_CAPABILITIES, warnings: [] },
    },
    {
      name: 'select_answer',
      type: 'm.call.select_answer',
      content: buildSelectAnswer({ ...ids, selectedPartyId: 'ASDFGHJKLZ' }),
      expected: { ...V1, type: 'm.call.select_answer', selectedPartyId: 'ASDFGHJKLZ', warnings: [] },
    },
    {
      name: 'reject',
      type: 'm.call.reject',
      content: buildReject(ids),
      expected: { ...V1, type: 'm.call.reject', warnings: [] },
    },
    {
      name: 'negotiate',
      type: 'm.call.negotiate',
      content: buildNegotiate({ ...ids, description: { type: 'answer', sdp: SDP }, lifetime: 60000, streamMetadata: screenshare }),
      expected: { ...V1, type: 'm.call.negotiate', description: { type: 'answer', sdp: SDP }, lifetime: 60000, streamMetadata: screenshare, warnings: [] },
    },
    {
      name: 'hangup',
      type: 'm.call.hangup',
      content: buildHangup({ ...ids, reason: 'invite_timeout' }),
      expected: { ...V1, type: 'm.call.hangup', reason: 'invite_timeout', rawReason: 'invite_timeout', warnings: [] },
    },
    {
      name: 'sdp_stream_metadata_changed',
      type: 'm.call.sdp_stream_metadata_changed',
      content: buildSdpStreamMetadataChanged({ ...ids, streamMetadata: screenshare }),
      expected: { ...V1, type: 'm.call.sdp_stream_metadata_changed', streamMetadata: screenshare, warnings: [] },
    },
  ];

  for (const { name, type, content, expected } of ROUND_TRIPS) {
    it(`builds ${name} content with version "1" that parses back to its inputs`, () => {
      expect(content).to.include({ version: '1', call_id: CALL_ID, party_id: PARTY_ID });
      expect(parseOk(type, JSON.parse(JSON.stringify(content)))).to.deep.equal(expected);
    });
  }
});
