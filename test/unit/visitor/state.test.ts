import { expect } from '@open-wc/testing';
import { parseState, serializeState, StateFile, type StateIo } from '../../../services/visitor/state.js';

/** An in-memory file; `failNext` makes the next write fail once. */
function memoryFile(initial?: string): StateIo & { text: string | undefined; writes: string[]; failNext: boolean } {
  const file = {
    text: initial,
    writes: [] as string[],
    failNext: false,
    read: () => Promise.resolve(file.text),
    write: async (text: string) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (file.failNext) {
        file.failNext = false;
        throw new Error('EACCES');
      }
      file.writes.push(text);
      file.text = text;
    },
  };
  return file;
}

describe('visitor state file', () => {
  it('round-trips the accounts, earliest deadline first, with nothing but IDs and deadlines', () => {
    const text = serializeState([
      { userId: '@visitor-b:example.org', expiresAt: 2000 },
      { userId: '@visitor-a:example.org', expiresAt: 1000, accessToken: 'secret' } as never,
    ]);
    expect(text).to.not.include('secret');
    expect(JSON.parse(text)).to.deep.equal({
      version: 1,
      accounts: [{ userId: '@visitor-a:example.org', expiresAt: 1000 }, { userId: '@visitor-b:example.org', expiresAt: 2000 }],
    });
    expect(parseState(text)).to.deep.equal({
      accounts: [{ userId: '@visitor-a:example.org', expiresAt: 1000 }, { userId: '@visitor-b:example.org', expiresAt: 2000 }],
      problems: [],
    });
  });

  it('keeps the good entries of a damaged file and says what it left out', () => {
    const loaded = parseState(JSON.stringify({
      version: 1,
      accounts: [
        { userId: '@visitor-a:example.org', expiresAt: 1000 },
        { userId: 'visitor-b', expiresAt: 1000 },
        { userId: '@visitor-c:example.org', expiresAt: 'soon' },
        null,
        { userId: '@visitor-a:example.org', expiresAt: 5 },
      ],
    }));
    expect(loaded.accounts).to.deep.equal([{ userId: '@visitor-a:example.org', expiresAt: 1000 }]);
    expect(loaded.problems).to.deep.equal(['entry 1 is not {userId, expiresAt}: left out', 'entry 2 is not {userId, expiresAt}: left out', 'entry 3 is not {userId, expiresAt}: left out']);
  });

  it('starts empty from a file that is not state, saying so', () => {
    expect(parseState('{oops').problems[0]).to.match(/not JSON/);
    expect(parseState('{"version":1}').problems[0]).to.match(/no "accounts" list/);
    expect(parseState('{"version":2,"accounts":[]}').problems[0]).to.match(/version 2/);
  });

  it('loads nothing from a file that does not exist', async () => {
    expect(await new StateFile(memoryFile()).load()).to.deep.equal({ accounts: [], problems: [] });
  });

  it('writes one after another, the newest last, and goes on after a failed write', async () => {
    const file = memoryFile();
    const state = new StateFile(file);
    file.failNext = true;
    const first = state.save([{ userId: '@visitor-a:x', expiresAt: 1 }]);
    const second = state.save([{ userId: '@visitor-a:x', expiresAt: 1 }, { userId: '@visitor-b:x', expiresAt: 2 }]);
    const third = state.save([{ userId: '@visitor-b:x', expiresAt: 2 }]);
    await first.then(() => expect.fail('the first write should fail'), (error: Error) => expect(error.message).to.equal('EACCES'));
    await Promise.all([second, third]);
    expect(file.writes.map((text) => parseState(text).accounts.map((a) => a.userId))).to.deep.equal([
      ['@visitor-a:x', '@visitor-b:x'],
      ['@visitor-b:x'],
    ]);
  });
});
