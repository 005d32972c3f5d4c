import { expect, fixture, html } from '@open-wc/testing';
import { participantListAnnouncement, peopleHeading } from '../../../components/participant-list/participant-list-strings.js';
import { participantRows, type MxParticipantList } from '../../../components/participant-list/participant-list.js';
import '../../../define/mx-participant-list.js';
import type { GroupCallHandle } from '../../../signaling/rtc/group-call.types.js';
import { fakeCall, local, participant, people, stopFakeTracks } from '../../helpers/browser/fake-group-call.js';

const rows = (el: HTMLElement) => [...(el.shadowRoot?.querySelectorAll<HTMLElement>('[part~="row"]') ?? [])];
const names = (el: HTMLElement) => rows(el).map((row) => row.querySelector('[part~="name"]')?.textContent?.trim());
const rowOf = (el: HTMLElement, name: string) => rows(el).find((row) => row.querySelector('[part~="name"]')?.textContent?.trim() === name) ?? null;
const has = (row: Element | null, part: string) => !!row?.querySelector(`[part~="${part}"]`);
const liveText = (el: HTMLElement) => el.shadowRoot?.querySelector('[aria-live]')?.textContent?.trim() ?? '';
const states = (el: HTMLElement) => ['empty', 'listing'].filter((s) => el.matches(`:state(${s})`));

async function render(call: GroupCallHandle | undefined, announce = false): Promise<MxParticipantList> {
  const el = await fixture<MxParticipantList>(html`<mx-participant-list ?announce=${announce} .call=${call}></mx-participant-list>`);
  await el.updateComplete;
  return el;
}

describe('<mx-participant-list>', () => {
  afterEach(stopFakeTracks);

  describe('order', () => {
    it('lists you first, then raised hands in the order they went up, then everyone by name', () => {
      const s = fakeCall({
        participants: [
          participant(3),
          participant(1, { handRaisedAt: 3000 }),
          participant(0),
          participant(2, { handRaisedAt: 1000 }),
          participant(12, { name: 'alice Zed' }),
        ],
        local: local({ handRaisedAt: 2000 }),
      }).getSnapshot();
      expect(participantRows(s).map((row) => [row.name, row.handOrder])).to.deep.equal([
        ['You', 2],
        ['Carol Chen', 1],
        ['Bob Tanaka', 3],
        ['Alice Aalto', undefined],
        ['alice Zed', undefined],
        ['Dan Diaz', undefined],
      ]);
    });

    it('shows a member with an empty display name by their user id', () => {
      const s = fakeCall({ participants: [participant(0, { name: '' })] }).getSnapshot();
      expect(participantRows(s)[1]?.name).to.equal('@user0:example.org');
    });
  });

  describe('rows', () => {
    it('shows the heading with the count, you included, and a row per person', async () => {
      const el = await render(fakeCall({ participants: people(3) }));
      expect(el.shadowRoot?.querySelector('[part~="heading"]')?.textContent?.trim()).to.equal('People (4)');
      expect(names(el)).to.deep.equal(['You', 'Alice Aalto', 'Bob Tanaka', 'Carol Chen']);
      expect(rows(el)[0]?.getAttribute('part')).to.equal('row local-row');
      expect(states(el)).to.deep.equal(['listing']);
    });

    it('shows connecting, muted, speaking, hand, encryption and quality', async () => {
      const el = await render(
        fakeCall({
          participants: [
            participant(0, { status: 'connecting', feeds: [] }),
            participant(1, { microphoneMuted: true, connectionQuality: 'poor' }),
            participant(2, { speaking: true, encrypted: false }),
            participant(3, { handRaisedAt: 5 }),
          ],
          activeSpeakers: ['@me:example.org:MYDEVICE'],
          local: local({ microphoneMuted: true }),
        }),
      );
      const alice = rowOf(el, 'Alice Aalto');
      expect(alice?.getAttribute('part')).to.equal('row connecting-row');
      expect(alice?.querySelector('[part~="connecting"]')?.textContent).to.equal('Connecting…');
      const bob = rowOf(el, 'Bob Tanaka');
      expect(has(bob, 'mic-muted')).to.equal(true);
      expect(bob?.textContent).to.include('Connection poor');
      expect(has(bob, 'encrypted')).to.equal(true);
      const carol = rowOf(el, 'Carol Chen');
      expect(carol?.getAttribute('part')).to.equal('row speaking-row');
      expect(carol?.textContent).to.include('Speaking');
      expect(has(carol, 'encrypted')).to.equal(false);
      expect(carol?.querySelector('[part~="not-encrypted"]')?.textContent).to.equal('Not encrypted');
      const dan = rowOf(el, 'Dan Diaz');
      expect(dan?.querySelector('[part~="hand"]')?.getAttribute('aria-label')).to.equal('Hand raised, number 1');
      expect(names(el)[1]).to.equal('Dan Diaz');
      const you = rowOf(el, 'You');
      expect(you?.getAttribute('part')).to.equal('row local-row speaking-row');
      expect(has(you, 'mic-muted')).to.equal(true);
      expect(has(you, 'encrypted') || has(you, 'not-encrypted')).to.equal(false);
    });

    it('follows the call as it changes', async () => {
      const call = fakeCall({ participants: people(1) });
      const el = await render(call);
      call.patch({ participants: [participant(0, { microphoneMuted: true }), participant(1)] });
      await el.updateComplete;
      expect(names(el)).to.deep.equal(['You', 'Alice Aalto', 'Bob Tanaka']);
      expect(has(rowOf(el, 'Alice Aalto'), 'mic-muted')).to.equal(true);
    });

    it('lists no one without a call, before joining and after leaving', async () => {
      for (const call of [undefined, fakeCall({ phase: 'joining', participants: people(2) }), fakeCall({ phase: 'left' }), fakeCall({ phase: 'failed' })]) {
        const el = await render(call);
        expect(rows(el).length).to.equal(0);
        expect(el.shadowRoot?.querySelector('[part~="empty"]')?.textContent).to.equal('No one here yet');
        expect(states(el)).to.deep.equal(['empty']);
      }
    });

    it('shows the new call when the call is replaced, and stops following the old one', async () => {
      const first = fakeCall({ participants: people(1) });
      const el = await render(first);
      el.call = fakeCall({ participants: [participant(5)] });
      await el.updateComplete;
      expect(names(el)).to.deep.equal(['You', 'Fay Fox']);
      first.patch({ participants: people(3) });
      await el.updateComplete;
      expect(names(el)).to.deep.equal(['You', 'Fay Fox']);
    });

    it('holds no subscription while removed from the page, and catches up when back', async () => {
      const call = fakeCall({ participants: people(1) });
      let subscriptions = 0;
      const counted: GroupCallHandle = {
        ...call,
        subscribe: (listener) => {
          subscriptions += 1;
          const unsubscribe = call.subscribe(listener);
          return () => {
            subscriptions -= 1;
            unsubscribe();
          };
        },
      };
      const el = await render(counted);
      expect(subscriptions).to.equal(1);
      el.remove();
      expect(subscriptions).to.equal(0);
      call.patch({ participants: people(2) });
      document.body.append(el);
      await el.updateComplete;
      expect(subscriptions).to.equal(1);
      expect(names(el)).to.deep.equal(['You', 'Alice Aalto', 'Bob Tanaka']);
      el.remove();
    });
  });

  describe('announcements', () => {
    it('reads out joins and leaves only when asked to', async () => {
      const call = fakeCall({ participants: people(1) });
      const quiet = await render(call);
      expect(quiet.shadowRoot?.querySelector('[aria-live]')).to.equal(null);
      const el = await render(call, true);
      call.patch({ participants: people(3) });
      await el.updateComplete;
      expect(liveText(el)).to.equal('Bob Tanaka and Carol Chen joined');
      call.patch({ participants: people(3).slice(1) });
      await el.updateComplete;
      expect(liveText(el)).to.equal('Alice Aalto left');
    });

    it('builds its sentences from two snapshots', () => {
      const joined = fakeCall({ participants: people(1) }).getSnapshot();
      expect(participantListAnnouncement(joined, { ...joined, participants: [participant(5)] })).to.equal('Fay Fox joined. Alice Aalto left');
      expect(participantListAnnouncement({ ...joined, phase: 'joining', participants: [] }, joined)).to.equal('');
      expect(participantListAnnouncement(joined, { ...joined, activeSpeakers: ['x'] })).to.equal('');
      expect(peopleHeading(1)).to.equal('People (1)');
    });
  });

  describe('accessibility', () => {
    it('is accessible with every indicator', async () => {
      const el = await render(
        fakeCall({
          participants: [
            participant(0, { status: 'connecting', feeds: [] }),
            participant(1, { microphoneMuted: true, handRaisedAt: 1 }),
            participant(2, { speaking: true, encrypted: false }),
          ],
          local: local({ handRaisedAt: 2 }),
        }),
        true,
      );
      await expect(el).to.be.accessible();
      expect(el.shadowRoot?.querySelector('[part~="list"]')?.getAttribute('aria-labelledby')).to.equal('heading');
    });

    it('is accessible with no call', async () => {
      const el = await render(undefined);
      await expect(el).to.be.accessible();
    });
  });
});
