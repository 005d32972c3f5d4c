import { expect } from '@open-wc/testing';
import { nextGroupCallPhase, type GroupCallPhaseEvent } from '../../../signaling/rtc/group-call-phase.js';
import type { GroupCallPhase } from '../../../signaling/rtc/group-call.types.js';

describe('nextGroupCallPhase: a group call\'s phase after each thing that happens', () => {
  const table: [GroupCallPhase, GroupCallPhaseEvent, GroupCallPhase][] = [
    ['joining', 'joined', 'connected'],
    ['joining', 'link-lost', 'joining'],
    ['joining', 'link-restored', 'joining'],
    ['joining', 'leave', 'leaving'],
    ['joining', 'failed', 'failed'],
    ['connected', 'link-lost', 'reconnecting'],
    ['connected', 'link-restored', 'connected'],
    ['connected', 'joined', 'connected'],
    ['connected', 'leave', 'leaving'],
    ['connected', 'failed', 'failed'],
    ['reconnecting', 'link-restored', 'connected'],
    ['reconnecting', 'joined', 'connected'],
    ['reconnecting', 'link-lost', 'reconnecting'],
    ['reconnecting', 'leave', 'leaving'],
    ['reconnecting', 'failed', 'failed'],
    ['leaving', 'left', 'left'],
    ['leaving', 'link-restored', 'leaving'],
    ['leaving', 'joined', 'leaving'],
    ['leaving', 'failed', 'leaving'],
    ['left', 'joined', 'left'],
    ['left', 'link-lost', 'left'],
    ['left', 'failed', 'left'],
    ['failed', 'joined', 'failed'],
    ['failed', 'leave', 'failed'],
    ['failed', 'left', 'failed'],
  ];
  for (const [phase, event, expected] of table) {
    it(`${phase} + ${event} → ${expected}`, () => {
      expect(nextGroupCallPhase(phase, event)).to.equal(expected);
    });
  }
});
