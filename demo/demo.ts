// The page `npm start` serves. Each panel is one demo user signed in through the kit's headless API
// (createCallKit), rendered with the kit's elements; the users can message and call each other, and join one
// end-to-end encrypted group call. Open `?user=NAME` in several tabs to be one person per tab.
import '../define/mx-call.js';
import '../define/mx-group-call.js';
import '../define/mx-incoming-call.js';
import '../define/mx-lobby.js';
import '../define/mx-connection-status.js';
import '../define/mx-device-picker.js';
import type { MatrixEvent } from 'matrix-js-sdk';
import { createCallKit, loginWithPassword, type CallHandle, type CallKit, type CallKind, type GroupJoinOptions } from '../signaling/index.js';

interface DemoUser {
  username: string;
  password: string;
}

interface DemoConfig {
  homeserverUrl: string;
  /** The 1:1 calls' room, of the first two users. */
  roomId: string;
  /** The group call's room, of everyone (end-to-end encrypted). */
  groupRoomId: string;
  users: DemoUser[];
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function showError(panel: HTMLElement, error: unknown): void {
  panel.append(element('p', { className: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)));
}

async function signIn(config: DemoConfig, user: DemoUser, panel: HTMLElement): Promise<void> {
  const status = element('mx-connection-status');
  panel.append(element('h2', {}, user.username), status);

  let kit: CallKit;
  try {
    const credentials = await loginWithPassword(config.homeserverUrl, user.username, user.password);
    kit = await createCallKit({ credentials });
  } catch (error) {
    showError(panel, error);
    return;
  }
  status.session = kit.session;

  const devices = element('mx-device-picker');
  devices.devices = kit.devices;
  const details = element('details', {}, element('summary', {}, 'Camera, microphone and speaker'), devices);

  const call = element('mx-call');
  // The other person is heard on the speaker chosen in the picker; the camera and microphone switch by themselves.
  const followSpeaker = ({ selected }: { selected: { speaker: string | undefined } }): void => {
    call.sinkId = selected.speaker;
  };
  followSpeaker(kit.devices.getSnapshot());
  kit.devices.subscribe(followSpeaker);
  const showCall = (handle: CallHandle): void => {
    call.call = handle;
  };
  kit.onIncomingCall((incoming) => {
    if (incoming.type === 'voip') showCall(incoming.call);
  });

  const callButtons = element('div', { className: 'actions' });
  const callPartners = config.users.slice(0, 2);
  const others = callPartners.some((partner) => partner.username === user.username) ? callPartners.filter((other) => other.username !== user.username) : [];
  const serverName = kit.session.getSnapshot().userId?.split(':').slice(1).join(':') ?? '';
  for (const other of others) {
    for (const kind of ['video', 'voice'] as const satisfies readonly CallKind[]) {
      const button = element('button', { type: 'button' }, `${kind === 'video' ? 'Video' : 'Voice'} call ${other.username}`);
      button.addEventListener('click', () => {
        kit.placeCall({ roomId: config.roomId, userId: `@${other.username}:${serverName}` }, kind).then(showCall, (error: unknown) => showError(panel, error));
      });
      callButtons.append(button);
    }
  }

  const messages = element('ul', { className: 'messages', ariaLabel: `Messages seen by ${user.username}` });
  await showMessages(kit, config.roomId, messages);
  const input = element('input', { placeholder: 'Say something to the demo room', ariaLabel: `Message from ${user.username}` });
  const form = element('form', {}, input, element('button', { type: 'submit' }, 'Send'));
  panel.append(callButtons, call, groupCallSection(config, kit), details, messages, form);

  const client = kit.session.client;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    input.value = '';
    void client.sendTextMessage(config.roomId, body);
  });
}

/**
 * The room's messages: those the first sync brought, then each new one. Both are read, since a message sent
 * while this panel was still being built arrived with the sync, before any listener.
 */
async function showMessages(kit: CallKit, roomId: string, list: HTMLElement): Promise<void> {
  const { RoomEvent } = await import('matrix-js-sdk');
  const client = kit.session.client;
  const shown = new Set<string>();
  const show = (event: MatrixEvent): void => {
    const id = event.getId();
    if (event.getType() !== 'm.room.message' || !id || shown.has(id)) return;
    shown.add(id);
    list.append(element('li', {}, `${event.getSender()}: ${String(event.getContent().body)}`));
  };
  client.on(RoomEvent.Timeline, (event, room, toStartOfTimeline) => {
    if (!toStartOfTimeline && room?.roomId === roomId) show(event);
  });
  for (const event of client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? []) show(event);
}

/**
 * The group call of the demo's encrypted room: a button opens the lobby (camera preview, devices), whose Join
 * joins the call, ringing the others, and shows it; leaving brings the button back. A group call that rings this
 * user shows above, and its Join joins the same way.
 */
function groupCallSection(config: DemoConfig, kit: CallKit): HTMLElement {
  const open = element('button', { type: 'button' }, 'Join the group call');
  const incoming = element('mx-incoming-call');
  const section = element('section', { className: 'group' }, element('h3', {}, 'Group call (end-to-end encrypted)'), incoming, open);
  kit.groupRings().then((rings) => {
    incoming.rings = rings;
  }, (error: unknown) => showError(section, error));

  const join = (roomId: string, options: GroupJoinOptions): Promise<void> =>
    kit.joinGroupCall(roomId, options).then(async (handle) => {
      await handle.joined;
      const view = element('mx-group-call');
      view.call = handle;
      section.querySelector('mx-lobby')?.remove();
      section.append(view);
      // After leaving, the button comes back; a failed call keeps its view, which says why.
      const stop = handle.subscribe(({ phase }) => {
        if (phase !== 'left' && phase !== 'failed') return;
        stop();
        if (phase === 'left') view.remove();
        open.hidden = false;
      });
    });

  open.addEventListener('click', () => {
    open.hidden = true;
    const lobby = element('mx-lobby');
    lobby.devices = kit.devices;
    lobby.roomName = kit.session.client.getRoom(config.groupRoomId)?.name ?? 'the group call';
    section.append(lobby);
    lobby.addEventListener('mx-join-request', ({ detail }) => {
      lobby.joining = true;
      lobby.unavailable = '';
      join(config.groupRoomId, { ...detail, notify: 'ring' }).catch((error: unknown) => {
        lobby.joining = false;
        lobby.unavailable = error instanceof Error ? error.message : String(error);
      });
    });
  });
  incoming.addEventListener('mx-ring-join-request', ({ detail }) => {
    open.hidden = true;
    join(detail.roomId, { video: detail.intent !== 'audio' }).catch((error: unknown) => {
      showError(section, error);
      open.hidden = false;
    });
  });
  return section;
}

async function main(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as DemoConfig;
  const only = new URLSearchParams(location.search).get('user');
  const people = document.getElementById('people');
  if (!people) return;
  for (const user of config.users.filter((u) => !only || u.username === only)) {
    const panel = element('section', { className: 'person' });
    panel.setAttribute('aria-label', user.username);
    people.append(panel);
    void signIn(config, user, panel);
  }
}

void main();
