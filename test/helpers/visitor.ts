// The visitor service (services/visitor) for the e2e tests: the stack's allowed target, extra instances of the
// service with settings of a test's own, and the homeserver's view of a visitor's token.
import { ServiceProcess } from './service-process.js';
import { loadStack } from './stack.js';
import { login, type TestUser } from './synapse.js';

/** The e2e pages' origin, which the stack's visitor service allows. */
export const PAGE_ORIGIN = 'http://127.0.0.1:8100';

/** A client-server call with a token; answers the status and errcode instead of throwing. */
export async function matrix(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${loadStack().homeserverUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** The allowed target, which the stack registers; each login is a new device. */
export function supportUser(): Promise<TestUser> {
  const stack = loadStack();
  const localpart = (stack.visitorTargets[0] as string).slice(1).split(':')[0] as string;
  return login({ localpart, password: stack.visitorTargetPassword });
}

/** `works` when the token is a live session's, else the homeserver's errcode (M_UNKNOWN_TOKEN once deactivated). */
export async function tokenWorks(token: string): Promise<string> {
  const reply = await matrix(token, 'GET', '/_matrix/client/v3/account/whoami');
  return reply.status === 200 ? 'works' : String(reply.json.errcode);
}

/** An instance of dist/visitor.mjs with settings the stack's instance does not have. */
export class VisitorProcess extends ServiceProcess {
  /** Starts one that reaches the stack's homeserver as its application service; `env` adds or overrides. */
  static start(env: Record<string, string>): VisitorProcess {
    const stack = loadStack();
    return new VisitorProcess('visitor', {
      VISITOR_HOMESERVER_URL: stack.homeserverUrl,
      VISITOR_SERVER_NAME: stack.serverName,
      VISITOR_AS_TOKEN: stack.visitorAsToken,
      VISITOR_LOCALPART_PREFIX: stack.visitorLocalpartPrefix,
      VISITOR_ALLOWED_ORIGINS: PAGE_ORIGIN,
      VISITOR_ALLOWED_TARGETS: stack.visitorTargets.join(','),
      VISITOR_BIND: '127.0.0.1:0',
      ...env,
    });
  }
}
