import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { startKitIn, startMatrixCallIn, twoPartiesInADm, type CallParty } from '../helpers/calls.js';
import { loadStack } from '../helpers/stack.js';
import type { TestUser } from '../helpers/synapse.js';
import { AUDIBLE_ENERGY } from '../helpers/audible.js';

// What the homeserver and the network see of a call: encryption, TURN relays, and a link that drops.

const nft = (command: string): void => {
  execFileSync('nft', command.split(' '));
};

const kitSnapshot = (party: CallParty, callId: string) => party.page.evaluate((id) => window.mx.kitSnapshot(id), callId);

async function connect(kit: CallParty, element: CallParty, roomId: string, kitCalls: boolean): Promise<string> {
  let callId: string;
  if (kitCalls) {
    callId = await kit.page.evaluate(([room, userId]) => window.mx.kitPlaceCall({ roomId: room, userId }, 'video'), [roomId, element.user.userId] as const);
    expect(await element.page.evaluate(() => window.mx.sdkNextIncoming())).toBe(callId);
    await element.page.evaluate((id) => window.mx.sdkAction(id, 'answer-video'), callId);
  } else {
    callId = await element.page.evaluate(([room, userId]) => window.mx.sdkPlaceCall(room, userId, 'video'), [roomId, kit.user.userId] as const);
    expect(await kit.page.evaluate(() => window.mx.kitNextIncoming())).toBe(callId);
    await kit.page.evaluate((id) => window.mx.kitAction(id, 'answer-video'), callId);
  }
  await kit.page.evaluate((id) => window.mx.kitWaitForPhase(id, 'connected'), callId);
  await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
  return callId;
}

async function expectMediaBothWays(kit: CallParty, element: CallParty, callId: string): Promise<void> {
  const kitReceived = await kit.page.evaluate((id) => window.mx.waitForMedia('kit', id, 10), callId);
  const elementReceived = await element.page.evaluate((id) => window.mx.waitForMedia('sdk', id, 10), callId);
  expect(kitReceived.framesDecoded).toBeGreaterThanOrEqual(10);
  expect(kitReceived.audioEnergy).toBeGreaterThan(AUDIBLE_ENERGY);
  expect(elementReceived.framesDecoded).toBeGreaterThanOrEqual(10);
  expect(elementReceived.audioEnergy).toBeGreaterThan(AUDIBLE_ENERGY);
}

/** Event types of the room's timeline as the homeserver stores them (it cannot decrypt). */
async function storedEventTypes(user: TestUser, roomId: string): Promise<string[]> {
  const response = await fetch(`${loadStack().homeserverUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=200`, {
    headers: { Authorization: `Bearer ${user.accessToken}` },
  });
  const { chunk } = (await response.json()) as { chunk: { type: string }[] };
  return chunk.map((event) => event.type);
}

test.describe('encrypted DM', () => {
  for (const kitCalls of [true, false]) {
    test(`${kitCalls ? 'the kit calls' : 'MatrixCall calls'} in an encrypted DM: the homeserver only ever sees m.room.encrypted`, async ({ browser }) => {
      const { a: kit, b: element, roomId } = await twoPartiesInADm(browser, { encrypted: true });
      await Promise.all([startKitIn(kit, { encryption: true }), startMatrixCallIn(element, { encryption: true })]);
      const callId = await connect(kit, element, roomId, kitCalls);
      await expectMediaBothWays(kit, element, callId);
      await kit.page.evaluate((id) => window.mx.kitAction(id, 'hangup'), callId);
      await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'ended'), callId);

      const types = await storedEventTypes(kit.user, roomId);
      expect(types.filter((type) => type.startsWith('m.call.'))).toEqual([]);
      // invite, answer, select_answer, candidates and hangup at least, all as ciphertext
      expect(types.filter((type) => type === 'm.room.encrypted').length).toBeGreaterThanOrEqual(4);
    });
  }
});

test.describe('TURN', () => {
  for (const kitCalls of [true, false]) {
    test(`forced relay through coturn (${kitCalls ? 'the kit calls' : 'MatrixCall calls'}): every packet goes through the TURN server`, async ({ browser }) => {
      const { a: kit, b: element, roomId } = await twoPartiesInADm(browser);
      await Promise.all([startKitIn(kit, { relayOnly: true }), startMatrixCallIn(element, { forceTURN: true })]);
      const callId = await connect(kit, element, roomId, kitCalls);
      await expectMediaBothWays(kit, element, callId);
      expect(await kit.page.evaluate((id) => window.mx.selectedCandidateTypes('kit', id), callId)).toEqual({ local: 'relay', remote: 'relay' });
    });
  }
});

test.describe('network loss', () => {
  test('the link drops for a few seconds and the call survives through an ICE restart', async ({ browser }) => {
    const { a: kit, b: element, roomId } = await twoPartiesInADm(browser);
    await Promise.all([startKitIn(kit), startMatrixCallIn(element)]);
    const callId = await connect(kit, element, roomId, true);
    await expectMediaBothWays(kit, element, callId);
    const before = await kit.page.evaluate((id) => window.mx.mediaSoFar('kit', id), callId);
    const ufragBefore = await kit.page.evaluate((id) => window.mx.localIceUfrag('kit', id), callId);
    expect(ufragBefore).toBeTruthy();

    // 127.20.0.1 is the only address WebRTC uses; signalling goes over 127.0.0.1 and stays up. Traffic
    // between local addresses never leaves the host, so taking the link down changes nothing: a firewall
    // rule in this private namespace drops every media packet instead, as losing Wi-Fi would.
    nft('add table inet mxdrop');
    nft('add chain inet mxdrop out { type filter hook output priority 0 ; }');
    nft('add rule inet mxdrop out ip saddr 127.20.0.1 drop');
    nft('add rule inet mxdrop out ip daddr 127.20.0.1 drop');
    try {
      await expect.poll(async () => (await kitSnapshot(kit, callId)).phase, { timeout: 20_000 }).toBe('connecting');
      await new Promise((resolve) => setTimeout(resolve, 4_000));
    } finally {
      nft('delete table inet mxdrop');
    }
    await expect.poll(async () => (await kitSnapshot(kit, callId)).phase, { timeout: 30_000 }).toBe('connected');
    await element.page.evaluate((id) => window.mx.sdkWaitForState(id, 'connected'), callId);
    // Media flows again: more frames than before the drop.
    await expect.poll(async () => (await kit.page.evaluate((id) => window.mx.mediaSoFar('kit', id), callId)).framesDecoded, { timeout: 20_000 })
      .toBeGreaterThan(before.framesDecoded + 10);
    expect(await kitSnapshot(kit, callId)).toMatchObject({ phase: 'connected', endReason: undefined });
    // It came back through an ICE restart (new credentials), negotiated with MatrixCall over m.call.negotiate.
    expect(await kit.page.evaluate((id) => window.mx.localIceUfrag('kit', id), callId)).not.toBe(ufragBefore);
  });
});
