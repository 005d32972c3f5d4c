import { expect, fixture, html } from '@open-wc/testing';
import { property } from 'lit/decorators.js';
import { defineElement } from '../../../components/internal/define-element.js';
import { MxElement } from '../../../components/internal/mx-element.js';
import { StoreController } from '../../../components/internal/store-controller.js';
import { createStore, type ReadableStore } from '../../../signaling/store/store.js';
import { spyOnConsole } from '../../helpers/browser/console-spy.js';

class TestStoreHost extends MxElement {
  @property({ attribute: false }) store: ReadableStore<number> | undefined;

  readonly controller = new StoreController(this, () => this.store);

  renders = 0;

  setState(state: string, active: boolean): void {
    this.customStates.set(state, active);
  }

  protected override render() {
    this.renders += 1;
    return html`${this.controller.snapshot ?? 'none'}`;
  }
}
defineElement('test-store-host', TestStoreHost);

/** A store that counts its live subscriptions, to catch leaks. */
function countingStore(initial: number) {
  const inner = createStore(initial);
  let subscribed = 0;
  let unsubscribed = 0;
  const store: ReadableStore<number> = {
    getSnapshot: () => inner.getSnapshot(),
    subscribe(listener) {
      subscribed += 1;
      const off = inner.subscribe(listener);
      return () => {
        unsubscribed += 1;
        off();
      };
    },
  };
  return {
    store,
    set: inner.set,
    get subscribed() {
      return subscribed;
    },
    get active() {
      return subscribed - unsubscribed;
    },
  };
}

const text = (el: Element): string => el.shadowRoot?.textContent?.trim() ?? '';

async function hostWith(store: ReadableStore<number> | undefined): Promise<TestStoreHost> {
  return fixture<TestStoreHost>(html`<test-store-host .store=${store}></test-store-host>`);
}

describe('components/internal', () => {
  describe('defineElement', () => {
    let warn: ReturnType<typeof spyOnConsole>;
    beforeEach(() => {
      warn = spyOnConsole('warn');
    });
    afterEach(() => warn.restore());

    it('registers a free tag', () => {
      class Fresh extends HTMLElement {}
      defineElement('test-define-fresh', Fresh);
      expect(customElements.get('test-define-fresh')).to.equal(Fresh);
      expect(warn.calls).to.have.length(0);
    });

    it('does nothing when the same constructor already owns the tag', () => {
      class Same extends HTMLElement {}
      defineElement('test-define-same', Same);
      expect(() => defineElement('test-define-same', Same)).not.to.throw();
      expect(customElements.get('test-define-same')).to.equal(Same);
      expect(warn.calls).to.have.length(0);
    });

    it('warns, keeps the first class and does not throw when another constructor owns the tag', () => {
      class First extends HTMLElement {}
      class Second extends HTMLElement {}
      defineElement('test-define-taken', First);
      expect(() => defineElement('test-define-taken', Second)).not.to.throw();
      expect(customElements.get('test-define-taken')).to.equal(First);
      expect(warn.calls).to.have.length(1);
      expect(String(warn.calls[0]?.[0])).to.contain('<test-define-taken>');
    });
  });

  describe('MxElement', () => {
    it('sets and clears custom states', async () => {
      const el = await hostWith(undefined);
      el.setState('busy', true);
      expect(el.matches(':state(busy)')).to.equal(true);
      el.setState('busy', false);
      expect(el.matches(':state(busy)')).to.equal(false);
    });

    it('compiles decorated properties as reactive accessors, not own fields', async () => {
      const el = await hostWith(undefined);
      expect(TestStoreHost.elementProperties.has('store')).to.equal(true);
      expect(Object.hasOwn(el, 'store')).to.equal(false);
    });
  });

  describe('StoreController', () => {
    it('subscribes once on connect and renders the snapshot', async () => {
      const source = countingStore(1);
      const el = await hostWith(source.store);
      expect(source.subscribed).to.equal(1);
      expect(text(el)).to.equal('1');
    });

    it('re-renders the host when the store changes', async () => {
      const source = countingStore(1);
      const el = await hostWith(source.store);
      source.set(2);
      expect(el.isUpdatePending).to.equal(true);
      await el.updateComplete;
      expect(text(el)).to.equal('2');
    });

    it('unsubscribes on disconnect and is not updated afterwards', async () => {
      const source = countingStore(1);
      const el = await hostWith(source.store);
      el.remove();
      expect(source.active).to.equal(0);
      const renders = el.renders;
      source.set(2);
      expect(el.isUpdatePending).to.equal(false);
      await el.updateComplete;
      expect(el.renders).to.equal(renders);
    });

    it('subscribes again on reconnect and shows changes made while disconnected', async () => {
      const source = countingStore(1);
      const el = await hostWith(source.store);
      const parent = el.parentNode as ParentNode;
      el.remove();
      source.set(5);
      parent.append(el);
      await el.updateComplete;
      expect(source.active).to.equal(1);
      expect(text(el)).to.equal('5');
    });

    it('moves its subscription when the host gets another store', async () => {
      const first = countingStore(1);
      const second = countingStore(10);
      const el = await hostWith(first.store);
      el.store = second.store;
      await el.updateComplete;
      expect(first.active).to.equal(0);
      expect(second.active).to.equal(1);
      expect(text(el)).to.equal('10');
      first.set(2);
      expect(el.isUpdatePending).to.equal(false);
      second.set(11);
      await el.updateComplete;
      expect(text(el)).to.equal('11');
    });

    it('does not subscribe to a store set while the host is disconnected', async () => {
      const first = countingStore(1);
      const second = countingStore(10);
      const el = await hostWith(first.store);
      const parent = el.parentNode as ParentNode;
      el.remove();
      el.store = second.store;
      await el.updateComplete;
      expect(second.subscribed).to.equal(0);
      parent.append(el);
      await el.updateComplete;
      expect(second.active).to.equal(1);
      expect(first.active).to.equal(0);
    });

    it('drops its subscription when the store is unset', async () => {
      const source = countingStore(1);
      const el = await hostWith(source.store);
      el.store = undefined;
      await el.updateComplete;
      expect(source.active).to.equal(0);
      expect(text(el)).to.equal('none');
    });
  });
});
