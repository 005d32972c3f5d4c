import { expect, test } from '@playwright/test';
import { credentialsOf } from '../helpers/calls.js';
import { openHarness } from '../helpers/pages.js';
import { matrixRequest } from '../helpers/raw-matrix.js';
import { joinRoom, registerUser } from '../helpers/synapse.js';

// Rooms the kit creates must be able to hold a MatrixRTC call: in a private chat a member's call membership
// (`org.matrix.msc3401.call.member`, a state event) needs power level 50 unless the room says otherwise, so
// the kit's DMs say 0, as Element Web's do.

test('a DM the kit creates lets its members send call membership, and keeps the other power levels', async ({ browser }) => {
  const [caller, callee] = await Promise.all([registerUser({ displayName: 'Cai' }), registerUser({ displayName: 'Cleo' })]);
  const page = await openHarness(browser);
  await page.evaluate((credentials) => window.mx.startKit(credentials), credentialsOf(caller));
  const placing = page.evaluate((userId) => window.mx.kitPlaceCall({ userId }, 'voice'), callee.userId);

  const invitedTo = async (): Promise<string | undefined> => {
    const sync = await matrixRequest<{ rooms?: { invite?: Record<string, unknown> } }>(callee, 'GET', '/_matrix/client/v3/sync?timeout=0');
    return Object.keys(sync.rooms?.invite ?? {})[0];
  };
  await expect.poll(invitedTo, { message: 'the kit to create the DM and invite the callee' }).toBeTruthy();
  const roomId = (await invitedTo())!;
  await joinRoom(callee, roomId);
  await placing;

  const levels = await matrixRequest<{ events: Record<string, number>; state_default?: number }>(callee, 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.power_levels`);
  expect(levels.events).toMatchObject({ 'org.matrix.msc3401.call.member': 0, 'm.room.power_levels': 100, 'm.room.name': 50, 'm.room.encryption': 100 });
  // The callee, an ordinary member, publishes a call membership as Element Call would (its state key form).
  const stateKey = `_${callee.userId}_${callee.deviceId}_m.call`;
  await matrixRequest(callee, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/org.matrix.msc3401.call.member/${encodeURIComponent(stateKey)}`, {});
});
