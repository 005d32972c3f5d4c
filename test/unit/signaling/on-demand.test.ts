import { expect } from '@open-wc/testing';
import { MxError } from '../../../signaling/errors.js';
import { onDemand, type LoadedFeature } from '../../../signaling/on-demand.js';

/** A feature whose loads the test settles by hand, counting loads and disposals. */
function scriptedFeature() {
  const loads: { resolve: (loaded: LoadedFeature<string>) => void; reject: (error: Error) => void }[] = [];
  let disposed = 0;
  const feature = onDemand('test features', () => new Promise<LoadedFeature<string>>((resolve, reject) => loads.push({ resolve, reject })));
  const loaded = (value: string): LoadedFeature<string> => ({ feature: value, dispose: () => { disposed += 1; } });
  return { feature, loads, loaded, disposed: () => disposed };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('onDemand', () => {
  it('loads nothing until first used, then once for every use', async () => {
    const { feature, loads, loaded } = scriptedFeature();
    expect(loads).to.have.length(0);
    const first = feature.get();
    const second = feature.get();
    expect(loads).to.have.length(1);
    loads[0]!.resolve(loaded('ready'));
    expect(await Promise.all([first, second, feature.get()])).to.deep.equal(['ready', 'ready', 'ready']);
    expect(loads).to.have.length(1);
  });

  it('tries a failed load again at the next use', async () => {
    const { feature, loads, loaded } = scriptedFeature();
    const first = feature.get();
    loads[0]!.reject(new Error('chunk did not download'));
    await first.then(() => expect.fail('the failed load resolved'), () => undefined);
    const second = feature.get();
    expect(loads).to.have.length(2);
    loads[1]!.resolve(loaded('ready'));
    expect(await second).to.equal('ready');
  });

  it('whenLoaded runs its use once loaded, and its cleanup at unsubscribe', async () => {
    const { feature, loads, loaded } = scriptedFeature();
    const log: string[] = [];
    const unsubscribe = feature.whenLoaded((value) => {
      log.push(`use ${value}`);
      return () => log.push('cleanup');
    }, () => log.push('failed'));
    expect(loads).to.have.length(1);
    loads[0]!.resolve(loaded('ready'));
    await settle();
    unsubscribe();
    expect(log).to.deep.equal(['use ready', 'cleanup']);
  });

  it('whenLoaded unsubscribed before the load finishes never runs its use', async () => {
    const { feature, loads, loaded } = scriptedFeature();
    const log: string[] = [];
    const unsubscribe = feature.whenLoaded(() => {
      log.push('use');
      return () => log.push('cleanup');
    }, () => log.push('failed'));
    unsubscribe();
    loads[0]!.resolve(loaded('ready'));
    await settle();
    expect(log).to.deep.equal([]);
  });

  it('whenLoaded reports a failed load as an MxError, and throws nothing', async () => {
    const { feature, loads } = scriptedFeature();
    const failures: MxError[] = [];
    feature.whenLoaded(() => () => undefined, (error) => failures.push(error));
    loads[0]!.reject(new Error('chunk did not download'));
    await settle();
    expect(failures.map((error) => [error instanceof MxError, error.message])).to.deep.equal([[true, 'chunk did not download']]);
  });

  it('dispose resolves once an asynchronous unload (a group call leaving) is done, and never rejects', async () => {
    let finishLeaving: () => void = () => undefined;
    const feature = onDemand('group calls', () => Promise.resolve({
      feature: 'calls',
      dispose: () => new Promise<void>((resolve) => { finishLeaving = resolve; }),
    }));
    await feature.get();
    let done = false;
    const disposing = feature.dispose().then(() => { done = true; });
    await Promise.resolve();
    await Promise.resolve();
    expect(done, 'resolved before the unload finished').to.equal(false);
    finishLeaving();
    await disposing;
    expect(done).to.equal(true);
    const failing = onDemand('x', () => Promise.resolve({ feature: 1, dispose: () => Promise.reject(new Error('homeserver away')) }));
    await failing.get();
    await failing.dispose();
    await onDemand('never loaded', () => Promise.reject(new Error('unused'))).dispose();
  });

  it('dispose unloads a loaded feature once, and later uses reject with INVALID_STATE', async () => {
    const { feature, loads, loaded, disposed } = scriptedFeature();
    const first = feature.get();
    loads[0]!.resolve(loaded('ready'));
    await first;
    feature.dispose();
    feature.dispose();
    await settle();
    expect(disposed()).to.equal(1);
    const error = await feature.get().then(() => undefined, (rejection: unknown) => rejection);
    expect(error).to.be.instanceOf(MxError);
    expect((error as MxError).code).to.equal('INVALID_STATE');
    expect(loads).to.have.length(1);
  });

  it('dispose during a load unloads the feature when it arrives, and the waiting use rejects', async () => {
    const { feature, loads, loaded, disposed } = scriptedFeature();
    const waiting = feature.get().then(() => 'resolved', (error: MxError) => error.code);
    const used: string[] = [];
    feature.whenLoaded((value) => {
      used.push(value);
      return () => undefined;
    }, () => used.push('failed'));
    feature.dispose();
    loads[0]!.resolve(loaded('late'));
    expect(await waiting).to.equal('INVALID_STATE');
    await settle();
    expect(disposed()).to.equal(1);
    expect(used).to.deep.equal([]);
  });
});
