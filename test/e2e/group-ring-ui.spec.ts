import { expect, test, type Browser, type Page } from '@playwright/test';
import { credentialsOf } from '../helpers/calls.js';
import { openHarness } from '../helpers/pages.js';
import { createRoom, joinRoom, registerUser } from '../helpers/synapse.js';

// <mx-incoming-call> showing a group call's ring on the real stack: the caller's kit rings an encrypted DM
// (MSC4075), the callee's page shows the ring from kit.groupRings(), and its buttons decline (MSC4310) or join.

const CALL_MEMBER = 'org.matrix.msc3401.call.member';

/** A caller ringing the callee in their encrypted DM; the callee's page shows its rings in <mx-incoming-call>. */
async function callerRingsADm(browser: Browser) {
  const [caller, callee] = await Promise.all([registerUser({ displayName: 'Rae Quinn' }), registerUser({ displayName: 'Sam' })]);
  const roomId = await createRoom(caller, { invite: [callee.userId], isDirect: true, encrypted: true, eventPowerLevels: { [CALL_MEMBER]: 0 } });
  await joinRoom(callee, roomId);
  const [callerPage, calleePage] = await Promise.all([caller, callee].map(async (user) => {
    const page = await openHarness(browser);
    await page.evaluate((credentials) => window.mx.startKit(credentials), credentialsOf(user));
    return page;
  })) as [Page, Page];
  await calleePage.evaluate(() => window.mx.kitShowGroupRings());
  expect(await callerPage.evaluate((room) => window.mx.kitJoinGroupCall(room, { notify: 'ring' }), roomId)).toBeUndefined();
  await expect.poll(() => callerPage.evaluate(() => window.mx.kitGroupSnapshot().ring?.state), { message: 'the caller to ring' }).toBe('ringing');
  const dialog = calleePage.getByRole('alertdialog', { name: 'Rae Quinn' });
  await expect(dialog).toBeVisible({ timeout: 30_000 });
  return { roomId, callee, callerPage, calleePage, dialog };
}

test.describe('<mx-incoming-call> for a group ring', () => {
  test('the callee sees who calls; Decline ends the caller\'s ringing', async ({ browser }) => {
    test.setTimeout(150_000);
    const { callee, callerPage, calleePage, dialog } = await callerRingsADm(browser);
    await expect(dialog).toContainText('Incoming video call');
    // A DM is named after the caller: no "in …" line.
    await expect(dialog.locator('[part~="room"]')).toHaveCount(0);
    await expect(calleePage.getByRole('status')).toHaveText('Incoming video call from Rae Quinn');

    await dialog.getByRole('button', { name: 'Decline' }).click();
    await expect(dialog).toBeHidden();
    await expect.poll(() => callerPage.evaluate(() => window.mx.kitGroupSnapshot().ring), { message: 'the caller\'s ringing to end' })
      .toMatchObject({ state: 'declined', declinedBy: [callee.userId] });
    expect(await calleePage.evaluate(() => window.mx.kitGroupRinging())).toEqual([]);
    await callerPage.evaluate(() => window.mx.kitLeaveGroupCall());
  });

  test('Join joins the call through the page, and the caller sees it answered', async ({ browser }) => {
    test.setTimeout(150_000);
    const { callerPage, calleePage, dialog } = await callerRingsADm(browser);
    await dialog.getByRole('button', { name: 'Join' }).click();
    await expect(dialog).toBeHidden();
    await expect.poll(() => callerPage.evaluate(() => window.mx.kitGroupSnapshot().ring?.state), { message: 'the caller to see it answered', timeout: 60_000 }).toBe('answered');
    await expect.poll(() => calleePage.evaluate(() => window.mx.kitGroupSnapshot().phase), { message: 'the callee to be in the call', timeout: 60_000 }).toBe('connected');
    await Promise.all([callerPage, calleePage].map((page) => page.evaluate(() => window.mx.kitLeaveGroupCall())));
  });
});
