import { expect } from '@open-wc/testing';
import { observeFrames, observePackets, STALL_AFTER_MS, type VideoStallState } from '../../../signaling/rtc/video-stall.js';

const flowing = (frameStamp: number | undefined, since: number): VideoStallState => ({ frameStamp, unchangedSince: since, packetsAtStall: undefined, requested: false });

describe('video stall (when to ask the SFU for a key frame)', () => {
  describe('observeFrames', () => {
    const cases: Array<[string, VideoStallState | undefined, number | undefined, number, { state: VideoStallState; stalled: boolean }]> = [
      ['the first look', undefined, 5, 1_000, { state: flowing(5, 1_000), stalled: false }],
      ['a new frame', flowing(5, 1_000), 6, 1_100, { state: flowing(6, 1_100), stalled: false }],
      ['no new frame yet', flowing(5, 1_000), 5, 1_000 + STALL_AFTER_MS - 1, { state: flowing(5, 1_000), stalled: false }],
      ['no new frame for the stall time', flowing(5, 1_000), 5, 1_000 + STALL_AFTER_MS, { state: flowing(5, 1_000), stalled: true }],
      ['no frame ever, for the stall time', flowing(undefined, 1_000), undefined, 1_000 + STALL_AFTER_MS, { state: flowing(undefined, 1_000), stalled: true }],
      ['a stall already asked about', { ...flowing(5, 1_000), packetsAtStall: 10, requested: true }, 5, 9_000, { state: { ...flowing(5, 1_000), packetsAtStall: 10, requested: true }, stalled: false }],
      ['frames again after asking: a new observation', { ...flowing(5, 1_000), packetsAtStall: 10, requested: true }, 7, 9_000, { state: flowing(7, 9_000), stalled: false }],
    ];
    for (const [name, state, frameStamp, now, expected] of cases) {
      it(name, () => {
        expect(observeFrames(state, frameStamp, now)).to.deep.equal(expected);
      });
    }
  });

  describe('observePackets (in a stall)', () => {
    const stalled = flowing(5, 1_000);
    const cases: Array<[string, VideoStallState, number, { state: VideoStallState; requestKeyFrame: boolean }]> = [
      ['the first count is the baseline', stalled, 100, { state: { ...stalled, packetsAtStall: 100 }, requestKeyFrame: false }],
      ['no packets since (the link is down, or the camera stopped)', { ...stalled, packetsAtStall: 100 }, 100, { state: { ...stalled, packetsAtStall: 100 }, requestKeyFrame: false }],
      ['packets again and still no frame: ask once', { ...stalled, packetsAtStall: 100 }, 103, { state: { ...stalled, packetsAtStall: 100, requested: true }, requestKeyFrame: true }],
      ['asked already in this stall', { ...stalled, packetsAtStall: 100, requested: true }, 200, { state: { ...stalled, packetsAtStall: 100, requested: true }, requestKeyFrame: false }],
      ['a counter that went back (a new receiver) is a new baseline', { ...stalled, packetsAtStall: 100 }, 4, { state: { ...stalled, packetsAtStall: 4 }, requestKeyFrame: false }],
    ];
    for (const [name, state, packets, expected] of cases) {
      it(name, () => {
        expect(observePackets(state, packets)).to.deep.equal(expected);
      });
    }
  });
});
