// The page `npm start` serves: signs in the demo users through the kit's headless API and renders what the
// kit offers so far. Later features add their elements here.
import '../define/mx-connection-status.js';
import { createMatrixSession, loginWithPassword, type MatrixSession } from '../signaling/index.js';

interface DemoConfig {
  homeserverUrl: string;
  roomId: string;
  users: { username: string; password: string }[];
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

async function signIn(config: DemoConfig, username: string, panel: HTMLElement): Promise<void> {
  const status = element('mx-connection-status');
  const messages = element('ul', { className: 'messages' });
  const input = element('input', { placeholder: 'Say something to the demo room', ariaLabel: `Message from ${username}` });
  const form = element('form', {}, input, element('button', { type: 'submit' }, 'Send'));
  panel.append(element('h2', {}, username), status, messages, form);

  let session: MatrixSession;
  try {
    const credentials = await loginWithPassword(config.homeserverUrl, username, config.users.find((u) => u.username === username)?.password ?? '');
    session = createMatrixSession({ credentials });
    status.session = session;
    await session.start();
  } catch (error) {
    panel.append(element('p', { className: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)));
    return;
  }
  const client = session.client;
  const { RoomEvent } = await import('matrix-js-sdk');
  client.on(RoomEvent.Timeline, (event, room, toStartOfTimeline) => {
    if (toStartOfTimeline || room?.roomId !== config.roomId || event.getType() !== 'm.room.message') return;
    messages.append(element('li', {}, `${event.getSender()}: ${String(event.getContent().body)}`));
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    input.value = '';
    void client.sendTextMessage(config.roomId, body);
  });
}

async function main(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as DemoConfig;
  const only = new URLSearchParams(location.search).get('user');
  const people = document.getElementById('people');
  if (!people) return;
  for (const { username } of config.users.filter((u) => !only || u.username === only)) {
    const panel = element('section', { className: 'person' });
    panel.setAttribute('aria-label', username);
    people.append(panel);
    void signIn(config, username, panel);
  }
}

void main();
