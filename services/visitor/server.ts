// The HTTP side: `POST /visitor/session` hands a website visitor a short-lived Matrix account (to call one
// user, or joined to one room for its group call), `POST /visitor/end` ends it, `GET /healthz` says the
// service is up. Accounts, limits and policy come in as deps, so the checks run in a fixed order: origin,
// rate limit, body, target or room, capacity, homeserver.
import http from 'node:http';
import { readBody, sendJson } from '../shared/http.js';
import type { LogFields, Logger } from '../shared/log.js';
import { AtCapacity, type VisitorAccounts, type VisitorSession } from './accounts.js';
import { HomeserverError, type Homeserver } from './homeserver.js';
import { clientAddress, decideRoom, isOriginAllowed, isTargetAllowed, isUserId } from './policy.js';
import type { RateLimiter } from './rate-limit.js';
import {
  badRequest,
  homeserverUnreachable,
  ORIGIN_NOT_ALLOWED,
  parseEndRequest,
  parseSessionRequest,
  rateLimited,
  ROOM_NOT_ALLOWED,
  roomNotJoinable,
  TARGET_NOT_ALLOWED,
  UNKNOWN_SESSION,
  type Refusal,
} from './requests.js';

export interface VisitorServerConfig {
  clientHomeserverUrl: string;
  allowedOrigins: ReadonlySet<string>;
  allowedTargets: ReadonlySet<string>;
  /** Room IDs and aliases whose group call a visitor may join. */
  allowedRooms: ReadonlySet<string>;
  trustedProxies: ReadonlySet<string>;
  /** Larger bodies get 400. Default 4 KiB: a real request is under 200 bytes. */
  maxBodyBytes?: number;
}

export interface VisitorServerDeps {
  accounts: VisitorAccounts;
  homeserver: Homeserver;
  rateLimiter: RateLimiter;
  logger: Logger;
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024;

type Route = '/visitor/session' | '/visitor/end' | '/healthz';
const ROUTES: ReadonlySet<string> = new Set<Route>(['/visitor/session', '/visitor/end', '/healthz']);

class Refused extends Error {
  constructor(
    readonly refusal: Refusal,
    readonly reason: string = refusal.message,
  ) {
    super(reason);
  }
}

// Any origin may read a refusal (a page on a site that is not allowed then learns why); only allowed ones get
// an account, which is decided per request, not by CORS. No cookies are involved, so no credentials mode.
function corsHeaders(origin: string | undefined): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin !== undefined && origin !== 'null' ? origin : '*',
    'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Expose-Headers': 'Retry-After',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

function refusalFor(error: unknown): Refused {
  if (error instanceof Refused) return error;
  if (error instanceof AtCapacity) {
    return new Refused(rateLimited(error.retryAfterMs, 'Too many visitors are calling right now; try again in a moment.'), error.message);
  }
  if (error instanceof HomeserverError) return new Refused(homeserverUnreachable(error.kind === 'refused' || error.status !== undefined), error.message);
  throw error;
}

export function createVisitorServer(config: VisitorServerConfig, deps: VisitorServerDeps): http.Server {
  const { accounts, homeserver, logger, rateLimiter } = deps;
  const maxBodyBytes = config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bodyTooLarge = () => badRequest(`The request body is larger than ${maxBodyBytes} bytes`);

  async function startSession(req: http.IncomingMessage, client: string): Promise<Record<string, unknown>> {
    if (!isOriginAllowed(req.headers.origin, config.allowedOrigins)) throw new Refused(ORIGIN_NOT_ALLOWED, 'origin not on the allow-list');
    // Counted before the body is read, so malformed requests cost a client the same as good ones.
    const decision = rateLimiter.take(client);
    if (!decision.ok) throw new Refused(rateLimited(decision.retryAfterMs), 'client over its rate limit');
    const body = await readBody(req, maxBodyBytes);
    if (!body.ok) throw new Refused(bodyTooLarge());
    const parsed = parseSessionRequest(req.headers['content-type'], body.text);
    if (!parsed.ok) throw new Refused(parsed.error);
    const request = parsed.value;
    const credentials = (session: VisitorSession) => ({
      homeserverUrl: config.clientHomeserverUrl,
      userId: session.userId,
      accessToken: session.accessToken,
      deviceId: session.deviceId,
      expiresAt: session.expiresAt,
    });
    if ('target' in request) {
      const { target } = request;
      if (!isUserId(target) || !isTargetAllowed(target, config.allowedTargets)) {
        throw new Refused(TARGET_NOT_ALLOWED, `target ${JSON.stringify(target.slice(0, 300))} not on the allow-list`);
      }
      const session = await accounts.create();
      logger.info('visitor session started', { user: session.userId, target, client, origin: req.headers.origin });
      return credentials(session);
    }
    const roomId = await allowedRoomId(request.room);
    const session = await accounts.create();
    try {
      const joined = await homeserver.join(session.userId, roomId);
      // The alias was resolved a moment ago; whatever the homeserver joined must still be that room.
      if (joined !== roomId) throw new Refused(roomNotJoinable('the room changed while the visitor joined it; try again'), `joined ${joined}, not ${roomId}`);
    } catch (error) {
      await accounts.deactivate(session.userId, 'could not join the room');
      if (error instanceof HomeserverError && error.kind === 'refused') {
        throw new Refused(roomNotJoinable(joinRefusalText(error)), `the homeserver refused the join of ${roomId}: ${error.message}`);
      }
      throw error;
    }
    logger.info('visitor session started', { user: session.userId, room: roomId, client, origin: req.headers.origin });
    return { ...credentials(session), roomId };
  }

  /** The ID of the room a session asks for, or the refusal: not on the allow-list, or no room has its alias. */
  async function allowedRoomId(room: string): Promise<string> {
    const shown = JSON.stringify(room.slice(0, 300));
    const decision = await decideRoom(room, config.allowedRooms, (alias) => homeserver.resolveAlias(alias));
    if (decision.ok) return decision.roomId;
    if (decision.why === 'no-such-alias') throw new Refused(roomNotJoinable('no room has this address'), `room ${shown} is allowed, but no room has the alias`);
    throw new Refused(ROOM_NOT_ALLOWED, `room ${shown} not on the allow-list`);
  }

  async function endSession(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const body = await readBody(req, maxBodyBytes);
    if (!body.ok) throw new Refused(bodyTooLarge());
    const token = parseEndRequest(req.headers.authorization, req.headers['content-type'], body.text);
    if (!token.ok) throw new Refused(token.error);
    let userId: string;
    try {
      userId = await homeserver.whoami(token.value);
    } catch (error) {
      if (error instanceof HomeserverError && error.kind === 'refused') throw new Refused(UNKNOWN_SESSION, `whoami refused: ${error.message}`);
      throw error;
    }
    // A token of any other user of the homeserver must not end that user's account.
    if (!accounts.isVisitor(userId)) throw new Refused(UNKNOWN_SESSION, `token of ${userId}, who is not a visitor`);
    const done = await accounts.deactivate(userId, 'ended by the visitor');
    if (!done) throw new Refused(homeserverUnreachable(false), 'deactivation postponed: homeserver unreachable');
    return { ended: true, userId };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://visitor.invalid').pathname;
    const origin = req.headers.origin;
    const client = clientAddress(req.socket.remoteAddress, headerValue(req.headers['x-forwarded-for']), config.trustedProxies);
    const logFields: LogFields = { client, origin };
    const send = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      sendJson(res, status, body, { ...corsHeaders(origin), ...extra });
    };
    const refuse = (refused: Refused, extra: Record<string, string> = {}) => {
      const { refusal } = refused;
      const log = refusal.status >= 500 ? logger.error : refusal.status === 404 || refusal.status === 405 ? logger.info : logger.warn;
      log(`refused ${req.method ?? '?'} ${path}: ${refused.reason}`, { status: refusal.status, code: refusal.code, ...logFields });
      const retry: Record<string, string> = refusal.retryAfterMs === undefined ? {} : { 'Retry-After': String(Math.ceil(refusal.retryAfterMs / 1000)) };
      send(refusal.status, { code: refusal.code, message: refusal.message, ...(refusal.retryAfterMs === undefined ? {} : { retryAfterMs: refusal.retryAfterMs }) },
        { ...retry, ...extra });
    };

    if (!ROUTES.has(path)) {
      refuse(new Refused({ status: 404, code: 'NOT_FOUND', message: 'No such endpoint' }));
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, corsHeaders(origin));
      res.end();
      return;
    }
    const route = path as Route;
    const allowed = route === '/healthz' ? ['GET', 'HEAD'] : ['POST'];
    if (!allowed.includes(req.method ?? '')) {
      refuse(new Refused({ status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Method not allowed' }), { Allow: [...allowed, 'OPTIONS'].join(', ') });
      return;
    }
    if (route === '/healthz') {
      send(200, { status: 'ok', liveAccounts: accounts.size });
      return;
    }
    try {
      send(200, route === '/visitor/session' ? await startSession(req, client) : await endSession(req));
    } catch (error) {
      // An unread body would be parsed as the next request on a kept-alive connection.
      refuse(refusalFor(error), req.complete ? {} : { Connection: 'close' });
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('request failed', {
        method: req.method, path: new URL(req.url ?? '/', 'http://visitor.invalid').pathname,
        error: error instanceof Error ? error.stack ?? error.message : String(error),
      });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const text = JSON.stringify({ code: 'INTERNAL', message: 'Internal error' });
      res.writeHead(500, { ...corsHeaders(req.headers.origin), 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(text);
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

/** What a room's admins can change when the homeserver would not let a visitor join. */
function joinRefusalText(error: HomeserverError): string {
  if (error.errcode === 'M_FORBIDDEN') return 'the room does not let visitors join (it must be public, and the visitor must not be banned)';
  if (error.errcode === 'M_NOT_FOUND' || error.status === 404) return 'the homeserver does not know the room';
  return `the homeserver refused (${error.errcode ?? error.status ?? 'no code'})`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
