import { expect } from '@open-wc/testing';
import type { Room as LivekitRoom } from 'livekit-client';
import { MxError } from '../../../signaling/errors.js';
import type { Logger } from '../../../signaling/log.js';
import { RemoteSfus, type RemoteSfusDependencies } from '../../../signaling/rtc/remote-sfus.js';
import type { SfuToken } from '../../../signaling/rtc/token-service.js';

// A LiveKit room as far as RemoteSfus uses it: connect, disconnect and events.
class FakeRoom {
  readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  connectedTo: string | undefined;
  disconnected = false;
  constructor(private readonly failConnect = false) {}
  async connect(url: string): Promise<void> {
    if (this.failConnect) throw new Error('could not connect');
    this.connectedTo = url;
  }
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }
  on(event: string, listener: (...args: unknown[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  removeAllListeners(): this {
    this.listeners.clear();
    return this;
  }
  emit(event: string): void {
    for (const listener of this.listeners.get(event) ?? []) listener();
  }
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(options: { tokens?: Record<string, string | Error>; failConnect?: boolean } = {}) {
  let now = 1_000_000;
  const rooms: FakeRoom[] = [];
  const disposed: FakeRoom[] = [];
  const tokenRequests: string[] = [];
  let changes = 0;
  const deps: RemoteSfusDependencies = {
    async requestToken(serviceUrl): Promise<SfuToken> {
      tokenRequests.push(serviceUrl);
      const answer = options.tokens?.[serviceUrl] ?? `wss://sfu.${new URL(serviceUrl).hostname.replace(/^auth\./, '')}`;
      if (answer instanceof Error) throw answer;
      return { url: answer, jwt: 'jwt', expiresAt: undefined };
    },
    createRoom() {
      const room = new FakeRoom(options.failConnect);
      rooms.push(room);
      return { room: room as unknown as LivekitRoom, dispose: () => disposed.push(room) };
    },
    prepare: async () => undefined,
    ownLivekitUrl: () => 'wss://sfu.own.example',
    onChange: () => { changes += 1; },
    log: silent,
    now: () => now,
  };
  const sfus = new RemoteSfus(deps);
  return { sfus, rooms, disposed, tokenRequests, changes: () => changes, advance: (ms: number) => { now += ms; } };
}

describe('RemoteSfus: one receive-only connection per other SFU a member uses', () => {
  it('opens a connection for a member\'s SFU, and finds the member there', async () => {
    const { sfus, rooms, changes } = setup();
    sfus.want(new Set(['https://auth.other.example']));
    expect(sfus.roomOf('https://auth.other.example')).to.equal(undefined);
    await settle();
    expect(rooms).to.have.length(1);
    expect(rooms[0]!.connectedTo).to.equal('wss://sfu.other.example');
    expect(sfus.roomOf('https://auth.other.example')).to.equal(rooms[0]);
    expect(changes()).to.equal(1);
  });

  it('asks for a token once while it connects, however often it is wanted', async () => {
    const { sfus, tokenRequests } = setup();
    for (let i = 0; i < 3; i++) sfus.want(new Set(['https://auth.other.example']));
    await settle();
    sfus.want(new Set(['https://auth.other.example']));
    expect(tokenRequests).to.deep.equal(['https://auth.other.example']);
  });

  it('a transport whose token leads to our own SFU gets no second connection: its members are on ours', async () => {
    const { sfus, rooms } = setup({ tokens: { 'https://auth.alias.example': 'wss://sfu.own.example/' } });
    sfus.want(new Set(['https://auth.alias.example']));
    await settle();
    expect(rooms).to.have.length(0);
    expect(sfus.roomOf('https://auth.alias.example')).to.equal('own');
  });

  it('closes a connection no member uses any more, and frees its worker', async () => {
    const { sfus, rooms, disposed } = setup();
    sfus.want(new Set(['https://auth.other.example']));
    await settle();
    sfus.want(new Set());
    await settle();
    expect(rooms[0]!.disconnected).to.equal(true);
    expect(disposed).to.deep.equal([rooms[0]]);
    expect(sfus.rooms()).to.deep.equal([]);
  });

  it('a connection wanted no more while it connects is closed once it opens', async () => {
    const { sfus, rooms, disposed } = setup();
    sfus.want(new Set(['https://auth.other.example']));
    sfus.want(new Set());
    await settle();
    expect(rooms[0]!.disconnected).to.equal(true);
    expect(disposed).to.have.length(1);
    expect(sfus.roomOf('https://auth.other.example')).to.equal(undefined);
  });

  it('a token service that fails is tried again only after its delay', async () => {
    const { sfus, tokenRequests, advance } = setup({ tokens: { 'https://auth.down.example': new MxError('TOKEN_SERVICE_UNREACHABLE', 'down') } });
    sfus.want(new Set(['https://auth.down.example']));
    await settle();
    sfus.want(new Set(['https://auth.down.example']));
    expect(tokenRequests).to.have.length(1);
    advance(1_000);
    sfus.want(new Set(['https://auth.down.example']));
    expect(tokenRequests).to.have.length(2);
    await sfus.dispose();
  });

  it('an SFU that refuses the connection frees the room it made', async () => {
    const { sfus, rooms, disposed } = setup({ failConnect: true });
    sfus.want(new Set(['https://auth.other.example']));
    await settle();
    expect(disposed).to.deep.equal([rooms[0]]);
    expect(sfus.roomOf('https://auth.other.example')).to.equal(undefined);
    await sfus.dispose();
  });

  it('a connection that ends is reported and opened again after a delay', async () => {
    const { sfus, rooms, disposed, changes, advance } = setup();
    sfus.want(new Set(['https://auth.other.example']));
    await settle();
    const before = changes();
    rooms[0]!.emit('disconnected');
    expect(changes()).to.equal(before + 1);
    expect(disposed).to.deep.equal([rooms[0]]);
    expect(sfus.roomOf('https://auth.other.example')).to.equal(undefined);
    advance(1_000);
    sfus.want(new Set(['https://auth.other.example']));
    await settle();
    expect(rooms).to.have.length(2);
    expect(sfus.roomOf('https://auth.other.example')).to.equal(rooms[1]);
    await sfus.dispose();
  });

  it('dispose closes every connection, and nothing opens afterwards', async () => {
    const { sfus, rooms } = setup();
    sfus.want(new Set(['https://auth.a.example', 'https://auth.b.example']));
    await settle();
    await sfus.dispose();
    expect(rooms.map((room) => room.disconnected)).to.deep.equal([true, true]);
    sfus.want(new Set(['https://auth.c.example']));
    await settle();
    expect(rooms).to.have.length(2);
  });
});
