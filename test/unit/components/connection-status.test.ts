import { expect, fixture, html } from '@open-wc/testing';
import type { MxConnectionStatus } from '../../../components/connection-status/index.js';
import '../../../define/mx-connection-status.js';
import { MxError } from '../../../signaling/errors.js';
import type { MatrixSessionSnapshot, MatrixSessionStatus } from '../../../signaling/matrix/session.js';
import type { ReadableStore } from '../../../signaling/store/store.js';
import { spyOnConsole } from '../../helpers/browser/console-spy.js';
import { createFakeSession } from '../../helpers/browser/fake-session.js';

const STATUSES: MatrixSessionStatus[] = ['idle', 'connecting', 'online', 'reconnecting', 'stopped', 'error'];

const failure = new MxError('HOMESERVER_UNREACHABLE', 'The homeserver at http://localhost:8008 could not be reached.');

const CASES: { snapshot: Partial<MatrixSessionSnapshot>; label: string; state: MatrixSessionStatus }[] = [
  { snapshot: { status: 'idle' }, label: 'Not connected', state: 'idle' },
  { snapshot: { status: 'connecting' }, label: 'Connecting…', state: 'connecting' },
  { snapshot: { status: 'online' }, label: 'Connected as @alice:localhost', state: 'online' },
  { snapshot: { status: 'online', userId: undefined }, label: 'Connected', state: 'online' },
  { snapshot: { status: 'reconnecting' }, label: 'Connection lost, retrying…', state: 'reconnecting' },
  { snapshot: { status: 'stopped' }, label: 'Disconnected', state: 'stopped' },
  { snapshot: { status: 'error', error: failure }, label: failure.message, state: 'error' },
  { snapshot: { status: 'error' }, label: 'Connection failed', state: 'error' },
  { snapshot: { status: 'error', error: new MxError('UNKNOWN', '') }, label: 'Connection failed', state: 'error' },
];

const part = (el: MxConnectionStatus, name: string): HTMLElement => {
  const found = el.shadowRoot?.querySelector<HTMLElement>(`[part~="${name}"]`);
  if (!found) throw new Error(`no part "${name}"`);
  return found;
};

const label = (el: MxConnectionStatus): string => part(el, 'label').textContent?.trim() ?? '';

const activeStates = (el: MxConnectionStatus): MatrixSessionStatus[] =>
  STATUSES.filter((status) => el.matches(`:state(${status})`));

async function statusOf(session: ReadableStore<MatrixSessionSnapshot> | undefined): Promise<MxConnectionStatus> {
  return fixture<MxConnectionStatus>(html`<mx-connection-status .session=${session}></mx-connection-status>`);
}

/** A store whose snapshot is whatever untyped page code handed over. */
function storeOf(snapshot: () => unknown): ReadableStore<MatrixSessionSnapshot> {
  return {
    getSnapshot: snapshot as () => MatrixSessionSnapshot,
    subscribe: () => () => undefined,
  };
}

describe('<mx-connection-status>', () => {
  describe('accessibility', () => {
    for (const status of STATUSES) {
      it(`is accessible while ${status}`, async () => {
        const el = await statusOf(createFakeSession({ status, error: status === 'error' ? failure : undefined }));
        await expect(el).to.be.accessible();
      });
    }

    it('is accessible with no session', async () => {
      const el = await statusOf(undefined);
      await expect(el).to.be.accessible();
    });

    it('has nothing focusable', async () => {
      const el = await statusOf(createFakeSession({ status: 'online' }));
      el.focus();
      expect(document.activeElement).not.to.equal(el);
      expect(el.shadowRoot?.activeElement ?? null).to.equal(null);
      expect(el.shadowRoot?.querySelectorAll('a, button, input, select, textarea, [tabindex]')).to.have.length(0);
    });

    it('hides the decorative dot from assistive technology', async () => {
      const el = await statusOf(createFakeSession());
      expect(part(el, 'indicator').getAttribute('aria-hidden')).to.equal('true');
    });
  });

  describe('properties', () => {
    it('has no session by default and shows "Not connected"', async () => {
      const el = await fixture<MxConnectionStatus>(html`<mx-connection-status></mx-connection-status>`);
      expect(el.session).to.equal(undefined);
      expect(label(el)).to.equal('Not connected');
      expect(activeStates(el)).to.deep.equal(['idle']);
    });

    it('takes the session as a property only', async () => {
      const el = await statusOf(createFakeSession({ status: 'online' }));
      expect(el.hasAttribute('session')).to.equal(false);
      el.setAttribute('session', 'ignored');
      await el.updateComplete;
      expect(label(el)).to.equal('Connected as @alice:localhost');
    });

    it('follows a replaced session and ignores the old one', async () => {
      const first = createFakeSession({ status: 'online' });
      const second = createFakeSession({ status: 'connecting' });
      const el = await statusOf(first);
      el.session = second;
      await el.updateComplete;
      expect(label(el)).to.equal('Connecting…');
      first.update((s) => ({ ...s, status: 'error' }));
      expect(el.isUpdatePending).to.equal(false);
      expect(label(el)).to.equal('Connecting…');
      expect(activeStates(el)).to.deep.equal(['connecting']);
    });

    it('goes back to "Not connected" when the session is removed', async () => {
      const el = await statusOf(createFakeSession({ status: 'online' }));
      el.session = undefined;
      await el.updateComplete;
      expect(label(el)).to.equal('Not connected');
      expect(activeStates(el)).to.deep.equal(['idle']);
    });
  });

  describe('rendering', () => {
    for (const { snapshot, label: expected, state } of CASES) {
      it(`shows "${expected}" and only :state(${state}) for ${JSON.stringify({ ...snapshot, error: snapshot.error?.code })}`, async () => {
        const el = await statusOf(createFakeSession(snapshot));
        expect(label(el)).to.equal(expected);
        expect(activeStates(el)).to.deep.equal([state]);
      });
    }

    it('updates label and state as the session changes', async () => {
      const session = createFakeSession({ status: 'connecting' });
      const el = await statusOf(session);
      for (const { snapshot, label: expected, state } of CASES) {
        session.set({ ...session.getSnapshot(), userId: '@alice:localhost', error: undefined, ...snapshot });
        await el.updateComplete;
        expect(label(el)).to.equal(expected);
        expect(activeStates(el)).to.deep.equal([state]);
      }
    });

    it('colours the dot per state from its custom property', async () => {
      const session = createFakeSession({ status: 'online' });
      const el = await statusOf(session);
      el.style.setProperty('--mx-connection-status-online-color', 'rgb(1, 2, 3)');
      el.style.setProperty('--mx-connection-status-error-color', 'rgb(4, 5, 6)');
      expect(getComputedStyle(part(el, 'indicator')).backgroundColor).to.equal('rgb(1, 2, 3)');
      session.update((s) => ({ ...s, status: 'error' }));
      await el.updateComplete;
      expect(getComputedStyle(part(el, 'indicator')).backgroundColor).to.equal('rgb(4, 5, 6)');
    });

    it('is hidden by the hidden attribute', async () => {
      const el = await statusOf(createFakeSession());
      el.hidden = true;
      expect(getComputedStyle(el).display).to.equal('none');
    });
  });

  describe('live region', () => {
    it('puts indicator and label inside one polite status region', async () => {
      const el = await statusOf(createFakeSession({ status: 'online' }));
      const region = part(el, 'base');
      expect(region.getAttribute('role')).to.equal('status');
      expect(region.getAttribute('aria-live')).to.equal('polite');
      expect(region.contains(part(el, 'label'))).to.equal(true);
      expect(region.contains(part(el, 'indicator'))).to.equal(true);
    });

    it('keeps the same region node across changes, so screen readers announce the new text', async () => {
      const session = createFakeSession({ status: 'connecting' });
      const el = await statusOf(session);
      const region = part(el, 'base');
      session.update((s) => ({ ...s, status: 'online' }));
      await el.updateComplete;
      expect(part(el, 'base')).to.equal(region);
      expect(region.textContent?.trim()).to.equal('Connected as @alice:localhost');
    });
  });

  describe('malformed snapshot', () => {
    let warn: ReturnType<typeof spyOnConsole>;
    beforeEach(() => {
      warn = spyOnConsole('warn');
    });
    afterEach(() => warn.restore());

    const MALFORMED: { name: string; snapshot: () => unknown }[] = [
      { name: 'null', snapshot: () => null },
      { name: 'a string', snapshot: () => 'online' },
      { name: 'an unknown status', snapshot: () => ({ status: 'banana', userId: '@alice:localhost' }) },
      { name: 'a missing status', snapshot: () => ({ userId: '@alice:localhost' }) },
      { name: 'a non-string user id', snapshot: () => ({ status: 'online', userId: 42 }) },
      { name: 'an error without a message', snapshot: () => ({ status: 'error', error: { code: 'UNKNOWN' } }) },
      {
        name: 'a getSnapshot that throws',
        snapshot: () => {
          throw new TypeError('broken store');
        },
      },
    ];

    for (const { name, snapshot } of MALFORMED) {
      it(`renders the fallback and warns once for ${name}`, async () => {
        const el = await statusOf(storeOf(snapshot));
        expect(label(el)).to.equal('Connection status unavailable');
        expect(activeStates(el)).to.deep.equal([]);
        el.requestUpdate();
        await el.updateComplete;
        expect(warn.calls).to.have.length(1);
        expect(String(warn.calls[0]?.[0])).to.contain('mx-connection-status');
      });
    }

    it('recovers when the store starts sending valid snapshots', async () => {
      let current: unknown = { status: 'banana' };
      const listeners = new Set<() => void>();
      const store: ReadableStore<MatrixSessionSnapshot> = {
        getSnapshot: () => current as MatrixSessionSnapshot,
        subscribe: (listener) => {
          const notify = () => listener(current as MatrixSessionSnapshot);
          listeners.add(notify);
          return () => listeners.delete(notify);
        },
      };
      const el = await statusOf(store);
      expect(label(el)).to.equal('Connection status unavailable');
      current = createFakeSession({ status: 'online' }).getSnapshot();
      for (const notify of listeners) notify();
      await el.updateComplete;
      expect(label(el)).to.equal('Connected as @alice:localhost');
      expect(activeStates(el)).to.deep.equal(['online']);
    });
  });
});
