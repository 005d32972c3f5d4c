// A widget host for the interop tests: what Element Web does for an Element Call widget, reduced to one room.
// A matrix-js-sdk client (Rust crypto) signed in as a test user, matrix-widget-api's ClientWidgetApi, and a
// WidgetDriver that carries the widget's requests to that client. Element Call runs in the iframe as a peer.
import * as sdk from 'matrix-js-sdk';
import {
  ClientWidgetApi,
  OpenIDRequestState,
  WidgetDriver,
  Widget,
  type Capability,
  type IOpenIDUpdate,
  type IRoomEvent,
  type IRtcTransportsResult,
  type ISendDelayedEventDetails,
  type ISendEventDetails,
  type IWidgetApiRequest,
  type SimpleObservable,
} from 'matrix-widget-api';
import { syncUntilPrepared } from '../../helpers/browser/sync-client.js';

export interface WidgetHostOptions {
  homeserverUrl: string;
  userId: string;
  accessToken: string;
  deviceId: string;
  roomId: string;
  /** Where Element Call's index.html is served (another origin than this page). */
  elementCallUrl: string;
  perParticipantE2EE: boolean;
  /** Element Call's shared-secret E2EE (its `password` URL parameter), for an unencrypted room. */
  password?: string;
}

const raw = (event: sdk.MatrixEvent): IRoomEvent => event.getEffectiveEvent() as IRoomEvent;

class CallWidgetDriver extends WidgetDriver {
  constructor(private readonly client: sdk.MatrixClient, private readonly roomId: string) {
    super();
  }

  // A call widget gets what it asks for, as Element Web grants Element Call.
  override async validateCapabilities(requested: Set<Capability>): Promise<Set<Capability>> {
    return requested;
  }

  override async sendEvent(eventType: string, content: unknown, stateKey?: string | null, roomId?: string | null): Promise<ISendEventDetails> {
    const room = roomId ?? this.roomId;
    // A redaction names its target in the content (Element Call lowers a hand so), as Element Web's driver reads it.
    if (eventType === 'm.room.redaction' && typeof (content as { redacts?: unknown }).redacts === 'string') {
      const redacted = await this.client.redactEvent(room, (content as { redacts: string }).redacts);
      return { roomId: room, eventId: redacted.event_id };
    }
    const sent = stateKey === undefined || stateKey === null
      ? await this.client.sendEvent(room, eventType as keyof sdk.TimelineEvents, content as never)
      : await this.client.sendStateEvent(room, eventType as keyof sdk.StateEvents, content as never, stateKey);
    return { roomId: room, eventId: sent.event_id };
  }

  override async sendDelayedEvent(delay: number, eventType: string, content: unknown, stateKey?: string | null, roomId?: string | null): Promise<ISendDelayedEventDetails> {
    const room = roomId ?? this.roomId;
    const sent = stateKey === undefined || stateKey === null
      ? await this.client._unstable_sendDelayedEvent(room, { delay }, null, eventType as keyof sdk.TimelineEvents, content as never)
      : await this.client._unstable_sendDelayedStateEvent(room, { delay }, eventType as keyof sdk.StateEvents, content as never, stateKey);
    return { roomId: room, delayId: sent.delay_id };
  }

  override async cancelScheduledDelayedEvent(delayId: string): Promise<void> {
    await this.client._unstable_cancelScheduledDelayedEvent(delayId);
  }

  override async restartScheduledDelayedEvent(delayId: string): Promise<void> {
    await this.client._unstable_restartScheduledDelayedEvent(delayId);
  }

  override async sendScheduledDelayedEvent(delayId: string): Promise<void> {
    await this.client._unstable_sendScheduledDelayedEvent(delayId);
  }

  override async sendToDevice(eventType: string, encrypted: boolean, contentMap: Record<string, Record<string, object>>): Promise<void> {
    const recipients = Object.entries(contentMap).flatMap(([userId, devices]) => Object.entries(devices).map(([deviceId, payload]) => ({ userId, deviceId, payload })));
    if (!encrypted) {
      await this.client.queueToDevice({ eventType, batch: recipients });
      return;
    }
    const crypto = this.client.getCrypto();
    if (!crypto) throw new Error('encrypted to-device without crypto');
    // Element Call sends one payload per device, so each is encrypted on its own.
    for (const { userId, deviceId, payload } of recipients) {
      await this.client.queueToDevice(await crypto.encryptToDeviceMessages(eventType, [{ userId, deviceId }], payload));
    }
  }

  override askOpenID(observer: SimpleObservable<IOpenIDUpdate>): void {
    void this.client.getOpenIdToken().then(
      (token) => observer.update({ state: OpenIDRequestState.Allowed, token }),
      () => observer.update({ state: OpenIDRequestState.Blocked }),
    );
  }

  override async readRoomState(roomId: string, eventType: string, stateKey: string | undefined): Promise<IRoomEvent[]> {
    const state = this.client.getRoom(roomId)?.getLiveTimeline().getState(sdk.EventTimeline.FORWARDS);
    if (!state) return [];
    if (stateKey !== undefined) {
      const event = state.getStateEvents(eventType, stateKey);
      return event ? [raw(event)] : [];
    }
    return state.getStateEvents(eventType).map(raw);
  }

  override async readRoomTimeline(roomId: string, eventType: string, msgtype: string | undefined, stateKey: string | undefined, limit: number): Promise<IRoomEvent[]> {
    const events = this.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
    return events
      .filter((event) => event.getType() === eventType && (msgtype === undefined || event.getContent().msgtype === msgtype) && (stateKey === undefined || event.getStateKey() === stateKey))
      .slice(-limit)
      .reverse()
      .map(raw);
  }

  // Element Call's compatibility mode and the kit publish memberships as state events; this host keeps no sticky events.
  override async readStickyEvents(): Promise<IRoomEvent[]> {
    return [];
  }

  override async getRtcTransports(): Promise<IRtcTransportsResult> {
    return { rtc_transports: (await this.client._unstable_getRTCTransports()) as IRtcTransportsResult['rtc_transports'] };
  }

  override getKnownRooms(): string[] {
    return [this.roomId];
  }
}

let api: ClientWidgetApi | undefined;
/** What the widget asked of the host, in order: e.g. io.element.join, set_always_on_screen, io.element.close. */
const widgetActions: string[] = [];

function widgetUrl(options: WidgetHostOptions): string {
  // Element Web's form: widgetId and parentUrl in the query, the rest in the `#?` fragment.
  const url = new URL(options.elementCallUrl);
  url.searchParams.set('widgetId', 'element-call');
  url.searchParams.set('parentUrl', location.href.split('#')[0]!);
  const fragment = new URLSearchParams({
    confineToRoom: 'true', skipLobby: 'true', returnToLobby: 'false', intent: 'start_call',
    perParticipantE2EE: String(options.perParticipantE2EE), header: 'none',
    userId: options.userId, deviceId: options.deviceId, roomId: options.roomId, baseUrl: options.homeserverUrl,
    lang: 'en', fontScale: '1', theme: 'dark', preload: 'false',
  });
  if (options.password !== undefined) fragment.set('password', options.password);
  return `${url.href}#?${fragment.toString()}`;
}

let prepared: { matrix: sdk.MatrixClient; options: WidgetHostOptions } | undefined;

/** Signs in and syncs, as Element Web is before its user clicks to join; Element Call is not loaded yet. */
async function prepare(options: WidgetHostOptions): Promise<void> {
  const matrix = sdk.createClient({ baseUrl: options.homeserverUrl, accessToken: options.accessToken, userId: options.userId, deviceId: options.deviceId });
  await matrix.initRustCrypto();
  await syncUntilPrepared(matrix);
  prepared = { matrix, options };
}

/** The click on "Join": opens Element Call in the iframe; resolves once the widget API is ready. */
async function open(): Promise<void> {
  if (!prepared) throw new Error('call ecHost.prepare first');
  const { matrix, options } = prepared;
  const iframe = document.querySelector<HTMLIFrameElement>('#widget')!;
  const widget = new Widget({ id: 'element-call', creatorUserId: options.userId, type: 'm.custom', url: widgetUrl(options), waitForIframeLoad: false });
  const widgetApi = new ClientWidgetApi(widget, iframe, new CallWidgetDriver(matrix, options.roomId));
  api = widgetApi;
  // matrix-widget-api answers these with an error unless the host takes them.
  for (const action of ['io.element.join', 'io.element.device_mute', 'io.element.close', 'set_always_on_screen']) {
    widgetApi.on(`action:${action}`, (event: CustomEvent<IWidgetApiRequest>) => {
      event.preventDefault();
      widgetActions.push(action);
      widgetApi.transport.reply(event.detail, action === 'set_always_on_screen' ? { success: true } : {});
    });
  }
  // Every event of the room once sent, the widget's own included (Element Web feeds those too: Element Call
  // learns from its own reaction that its hand is up). Our own come back from sync as a local echo's update.
  const fed = new Set<string>();
  const feed = (event: sdk.MatrixEvent): void => {
    const eventId = event.getId();
    if (event.getRoomId() !== options.roomId || event.status !== null || !eventId || fed.has(eventId)) return;
    fed.add(eventId);
    void matrix.decryptEventIfNeeded(event).then(() => widgetApi.feedEvent(raw(event), options.roomId));
  };
  matrix.on(sdk.RoomEvent.Timeline, feed);
  matrix.on(sdk.RoomEvent.LocalEchoUpdated, feed);
  matrix.on(sdk.RoomStateEvent.Events, (event) => {
    if (event.getRoomId() === options.roomId) void widgetApi.feedStateUpdate(raw(event));
  });
  matrix.on(sdk.ClientEvent.ReceivedToDeviceMessage, ({ message, encryptionInfo }) => {
    void widgetApi.feedToDevice(message as never, encryptionInfo !== null);
  });
  const ready = new Promise<void>((resolve) => widgetApi.once('ready', () => resolve()));
  iframe.src = widget.getCompleteUrl({ widgetRoomId: options.roomId, currentUserId: options.userId });
  await ready;
}

/** Signs in, syncs, and opens Element Call in the iframe for `roomId`; resolves once the widget API is ready. */
async function start(options: WidgetHostOptions): Promise<void> {
  await prepare(options);
  await open();
}

/** What Element Web's hang-up button does: asks the widget to leave the call. */
async function hangup(): Promise<void> {
  if (!api) throw new Error('call ecHost.start first');
  await api.transport.send('im.vector.hangup', {});
}

declare global {
  interface Window {
    ecHost: { start: typeof start; prepare: typeof prepare; open: typeof open; hangup: typeof hangup; widgetActions: string[]; ready: boolean };
  }
}

window.ecHost = { start, prepare, open, hangup, widgetActions, ready: true };
