import { expect } from '@open-wc/testing';
import { observeFrames, observePackets, REPEAT_AFTER_MS, STALL_AFTER_MS, type VideoStallState } from '../../../signaling/rtc/video-stall.js';

const flowing = (frameStamp: number | undefined, since: number): VideoStallState => ({ frameStamp, unchangedSince: since, packets: undefined, requests: 0, lastRequestAt: undefined });

describe('video stall (when to ask the SFU for a key frame)', () => {
  describe('observeFrames', () => {
    const asked: VideoStallState = { ...flowing(5, 1_000), packets: 10, requests: 1, lastRequestAt: 2_000 };
    const cases: Array<[string, VideoStallState | undefined, number | undefined, number, { state: VideoStallState; stalled: boolean }]> = [
      ['the first look', undefined, 5, 1_000, { state: flowing(5, 1_000), stalled: false }],
      ['a new frame', flowing(5, 1_000), 6, 1_100, { state: flowing(6, 1_100), stalled: false }],
      ['no new frame yet', flowing(5, 1_000), 5, 1_000 + STALL_AFTER_MS - 1, { state: flowing(5, 1_000), stalled: false }],
      ['no new frame for the stall time', flowing(5, 1_000), 5, 1_000 + STALL_AFTER_MS, { state: flowing(5, 1_000), stalled: true }],
      ['no frame ever, for the stall time', flowing(undefined, 1_000), undefined, 1_000 + STALL_AFTER_MS, { state: flowing(undefined, 1_000), stalled: true }],
      ['still stalled after asking', asked, 5, 9_000, { state: asked, stalled: true }],
      ['frames again after asking: a new observation', asked, 7, 9_000, { state: flowing(7, 9_000), stalled: false }],
    ];
    for (const [name, state, frameStamp, now, expected] of cases) {
      it(name, () => {
        expect(observeFrames(state, frameStamp, now)).to.deep.equal(expected);
      });
    }
  });

  describe('observePackets (in a stall)', () => {
    const stalled = flowing(5, 1_000);
    const at = 5_000;
    const cases: Array<[string, VideoStallState, number, { state: VideoStallState; requestKeyFrame: boolean }]> = [
      ['the first count is the baseline', stalled, 100, { state: { ...stalled, packets: 100 }, requestKeyFrame: false }],
      ['no packets since (the link is down, or the camera stopped)', { ...stalled, packets: 100 }, 100, { state: { ...stalled, packets: 100 }, requestKeyFrame: false }],
      ['packets arriving and still no frame: ask', { ...stalled, packets: 100 }, 103, { state: { ...stalled, packets: 103, requests: 1, lastRequestAt: at }, requestKeyFrame: true }],
      ['asked just now: not again yet', { ...stalled, packets: 103, requests: 1, lastRequestAt: at - REPEAT_AFTER_MS + 1 }, 110, { state: { ...stalled, packets: 110, requests: 1, lastRequestAt: at - REPEAT_AFTER_MS + 1 }, requestKeyFrame: false }],
      ['asked while the link was down: again once packets arrive', { ...stalled, packets: 103, requests: 1, lastRequestAt: at - REPEAT_AFTER_MS }, 110, { state: { ...stalled, packets: 110, requests: 2, lastRequestAt: at }, requestKeyFrame: true }],
      ['asked twice: the third waits twice as long', { ...stalled, packets: 110, requests: 2, lastRequestAt: at - 2 * REPEAT_AFTER_MS + 1 }, 120, { state: { ...stalled, packets: 120, requests: 2, lastRequestAt: at - 2 * REPEAT_AFTER_MS + 1 }, requestKeyFrame: false }],
      ['asked twice, long enough ago', { ...stalled, packets: 110, requests: 2, lastRequestAt: at - 2 * REPEAT_AFTER_MS }, 120, { state: { ...stalled, packets: 120, requests: 3, lastRequestAt: at }, requestKeyFrame: true }],
      ['a counter that went back (a new receiver) is a new baseline', { ...stalled, packets: 100 }, 4, { state: { ...stalled, packets: 4 }, requestKeyFrame: false }],
    ];
    for (const [name, state, packets, expected] of cases) {
      it(name, () => {
        expect(observePackets(state, packets, at)).to.deep.equal(expected);
      });
    }
  });
});
