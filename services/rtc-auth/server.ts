// The HTTP contract of lk-jwt-service: a client proves who it is with a Matrix OpenID token, and gets a LiveKit
// JWT for the room derived from its MatrixRTC slot, and may hand its delayed leave event over (delegations.ts).
// Everything that talks to the network comes in as `deps`, so the server can be exercised with fakes.
import http from 'node:http';
import { readBody, sendJson } from '../shared/http.js';
import type { LogFields, Logger } from '../shared/log.js';
import { isFullAccess, type FullAccessPolicy } from './config.js';
import { LEGACY_SLOT_ID, legacyLiveKitIdentity, liveKitIdentity, liveKitRoomAlias } from './derive.js';
import type { CsApiResolution } from './cs-api.js';
import type { AddResult, DelegationRequest } from './delegations.js';
import { checkUserInfo } from './federation.js';
import type { FetchUserInfo } from './homeserver.js';
import {
  badJson,
  parseDelegateDelayedLeaveRequest,
  parseGetTokenRequest,
  parseJsonBody,
  parseLegacySfuRequest,
  UNAUTHORIZED,
  type DelayedLeaveFields,
  type MatrixError,
  type OpenIdToken,
} from './requests.js';
import type { CreateRoom, MintToken } from './tokens.js';

export interface RtcAuthServerConfig {
  /** Returned to clients next to the JWT. */
  livekitUrl: string;
  fullAccess: FullAccessPolicy;
  /** Larger bodies get 413. Default 64 KiB: a real request is well under 2 KiB. */
  maxBodyBytes?: number;
}

export interface RtcAuthDeps {
  fetchUserInfo: FetchUserInfo;
  mintToken: MintToken;
  createRoom: CreateRoom;
  /** Where a homeserver's client-server API is, for delegated delayed leave. */
  resolveCsApi: (serverName: string) => Promise<CsApiResolution>;
  delegations: { add(request: DelegationRequest): AddResult };
  logger: Logger;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST',
  'Access-Control-Allow-Headers': 'Accept, Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token',
};

type Route = '/get_token' | '/sfu/get' | '/delegate_delayed_leave' | '/healthz';
const ROUTES: ReadonlySet<string> = new Set<Route>(['/get_token', '/sfu/get', '/delegate_delayed_leave', '/healthz']);

/** lk-jwt-service's answer on the token routes: clients then ask again without the delay fields. */
const DELEGATION_NOT_FOR_THIS_SERVER = badJson('Delegation of delayed events is only supported for full access users');
const CS_API_UNRESOLVED = badJson('Unable to resolve client-server API');

/** A request turned down; `reason` is for the log only, the client sees `error`. */
class Refusal extends Error {
  constructor(
    readonly reply: MatrixError,
    readonly reason: string = reply.error,
    readonly fields: LogFields = {},
  ) {
    super(reason);
  }
}

interface Verified {
  userId: string;
  fullAccess: boolean;
}

function sendReply(res: http.ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  sendJson(res, status, body, { ...CORS_HEADERS, ...extraHeaders });
}

function sendError(res: http.ServerResponse, error: MatrixError, extraHeaders: Record<string, string> = {}): void {
  sendReply(res, error.status, { errcode: error.errcode, error: error.error }, extraHeaders);
}

export function createRtcAuthServer(config: RtcAuthServerConfig, deps: RtcAuthDeps): http.Server {
  const { logger } = deps;
  const maxBodyBytes = config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  async function verify(token: OpenIdToken, claimedUserId: string | undefined): Promise<Verified> {
    const fields = { server: token.matrixServerName, claimed: claimedUserId };
    const info = await deps.fetchUserInfo(token.matrixServerName, token.accessToken);
    // Unreachable homeservers get 401 like in lk-jwt-service: the client cannot fix either case.
    if (!info.ok) throw new Refusal(UNAUTHORIZED, `OpenID check failed (${info.kind}): ${info.reason}`, fields);
    const check = checkUserInfo(info.body, token.matrixServerName, claimedUserId);
    if (!check.ok) throw new Refusal(UNAUTHORIZED, `OpenID check failed: ${check.reason}`, fields);
    return { userId: check.userId, fullAccess: isFullAccess(config.fullAccess, token.matrixServerName) };
  }

  /** Checks that the service may and can take this user's delayed leave over; answers where its API is. */
  async function delegationTarget(route: Route, who: Verified, serverName: string, refusals: { notAllowed: MatrixError }): Promise<string> {
    if (!who.fullAccess) throw new Refusal(refusals.notAllowed, `delegated leave refused: ${serverName} is not a full-access homeserver`, { route, user: who.userId });
    const resolved = await deps.resolveCsApi(serverName);
    if (!resolved.ok) throw new Refusal(CS_API_UNRESOLVED, `delegated leave refused: client-server API of ${serverName} not found: ${resolved.reason}`, { route, user: who.userId });
    return resolved.url;
  }

  function delegate(route: Route, who: Verified, room: string, identity: string, delay: DelayedLeaveFields, csApiUrl: string, refusal: (reason: string) => MatrixError): void {
    const added = deps.delegations.add({ userId: who.userId, room, identity, delayId: delay.delayId, delayTimeoutMs: delay.delayTimeoutMs, csApiUrl });
    if (!added.ok) throw new Refusal(refusal(added.reason), `delegated leave refused: ${added.reason}`, { route, user: who.userId });
  }

  async function issue(
    route: Route,
    who: Verified,
    room: string,
    identity: string,
    logFields: LogFields,
    delegation?: { delay: DelayedLeaveFields; csApiUrl: string },
  ): Promise<{ url: string; jwt: string }> {
    if (who.fullAccess) {
      // LiveKit may still auto-create the room on join, so a failure here only costs the room's settings.
      try {
        await deps.createRoom(room);
      } catch (error) {
        logger.error('LiveKit room creation failed; answering anyway', {
          route, room, error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    // lk-jwt-service's order: after the room exists; a refusal still reaches the client as M_BAD_JSON.
    if (delegation) delegate(route, who, room, identity, delegation.delay, delegation.csApiUrl, badJson);
    const jwt = await deps.mintToken({ identity, room });
    logger.info('token issued', {
      route, user: who.userId, access: who.fullAccess ? 'full' : 'join-only', room, identity, ...logFields,
    });
    return { url: config.livekitUrl, jwt };
  }

  async function handleGetToken(body: unknown, logFields: LogFields): Promise<{ url: string; jwt: string }> {
    const parsed = parseGetTokenRequest(body);
    if (!parsed.ok) throw new Refusal(parsed.error);
    const request = parsed.value;
    const who = await verify(request.openIdToken, request.member.claimedUserId);
    const csApiUrl = request.delay && await delegationTarget('/get_token', who, request.openIdToken.matrixServerName, { notAllowed: DELEGATION_NOT_FOR_THIS_SERVER });
    const room = await liveKitRoomAlias(request.roomId, request.slotId);
    const identity = await liveKitIdentity(who.userId, request.member.claimedDeviceId, request.member.id);
    return issue('/get_token', who, room, identity, { matrixRoom: request.roomId, slot: request.slotId, ...logFields },
      request.delay && csApiUrl !== undefined ? { delay: request.delay, csApiUrl } : undefined);
  }

  async function handleDelegate(body: unknown, logFields: LogFields): Promise<Record<string, never>> {
    const parsed = parseDelegateDelayedLeaveRequest(body);
    if (!parsed.ok) throw new Refusal(parsed.error);
    const request = parsed.value;
    const who = await verify(request.openIdToken, request.member.claimedUserId);
    const csApiUrl = await delegationTarget('/delegate_delayed_leave', who, request.openIdToken.matrixServerName, {
      notAllowed: { status: 403, errcode: 'M_FORBIDDEN', error: DELEGATION_NOT_FOR_THIS_SERVER.error },
    });
    // No token and no room creation: the client is in the room already (lk-jwt-service does the same).
    const room = await liveKitRoomAlias(request.roomId, request.slotId);
    const identity = await liveKitIdentity(who.userId, request.member.claimedDeviceId, request.member.id);
    delegate('/delegate_delayed_leave', who, room, identity, request.delay, csApiUrl,
      (reason) => ({ status: 429, errcode: 'M_LIMIT_EXCEEDED', error: reason }));
    logger.info('delayed leave taken over', { route: '/delegate_delayed_leave', user: who.userId, matrixRoom: request.roomId, room, identity, ...logFields });
    return {};
  }

  async function handleLegacy(body: unknown, logFields: LogFields): Promise<{ url: string; jwt: string }> {
    const parsed = parseLegacySfuRequest(body);
    if (!parsed.ok) throw new Refusal(parsed.error);
    const request = parsed.value;
    const who = await verify(request.openIdToken, undefined);
    const csApiUrl = request.delay && await delegationTarget('/sfu/get', who, request.openIdToken.matrixServerName, { notAllowed: DELEGATION_NOT_FOR_THIS_SERVER });
    const room = await liveKitRoomAlias(request.room, LEGACY_SLOT_ID);
    const identity = legacyLiveKitIdentity(who.userId, request.deviceId);
    return issue('/sfu/get', who, room, identity, { matrixRoom: request.room, ...logFields },
      request.delay && csApiUrl !== undefined ? { delay: request.delay, csApiUrl } : undefined);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://rtc-auth.invalid').pathname;
    const logFields: LogFields = { remote: req.socket.remoteAddress, origin: req.headers.origin };
    const refuse = (error: MatrixError, reason: string, fields: LogFields = {}, headers: Record<string, string> = {}) => {
      const log = error.status === 404 || error.status === 405 ? logger.info : logger.warn;
      log(`refused ${req.method ?? '?'} ${path}: ${reason}`, { status: error.status, errcode: error.errcode, ...fields, ...logFields });
      sendError(res, error, headers);
    };

    if (!ROUTES.has(path)) {
      refuse({ status: 404, errcode: 'M_NOT_FOUND', error: 'No such endpoint' }, 'unknown path');
      return;
    }
    const route = path as Route;
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { ...CORS_HEADERS, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (route === '/healthz') {
      if (req.method === 'GET' || req.method === 'HEAD') {
        sendReply(res, 200, { status: 'ok' });
      } else {
        refuse({ status: 405, errcode: 'M_UNRECOGNIZED', error: 'Method not allowed' }, 'wrong method', {}, { Allow: 'GET, HEAD, OPTIONS' });
      }
      return;
    }
    if (req.method !== 'POST') {
      refuse({ status: 405, errcode: 'M_UNRECOGNIZED', error: 'Method not allowed' }, 'wrong method', {}, { Allow: 'POST, OPTIONS' });
      return;
    }

    const body = await readBody(req, maxBodyBytes);
    if (!body.ok) {
      const error: MatrixError = { status: 413, errcode: 'M_TOO_LARGE', error: `The request body is larger than ${maxBodyBytes} bytes` };
      refuse(error, error.error, {}, { Connection: 'close' });
      return;
    }
    const json = parseJsonBody(req.headers['content-type'], body.text);
    if (!json.ok) {
      refuse(json.error, json.error.error);
      return;
    }
    try {
      const reply = route === '/get_token'
        ? await handleGetToken(json.value, logFields)
        : route === '/delegate_delayed_leave' ? await handleDelegate(json.value, logFields) : await handleLegacy(json.value, logFields);
      sendReply(res, 200, reply);
    } catch (error) {
      if (error instanceof Refusal) {
        refuse(error.reply, error.reason, error.fields);
        return;
      }
      throw error;
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('request failed', {
        method: req.method, url: new URL(req.url ?? '/', 'http://rtc-auth.invalid').pathname,
        error: error instanceof Error ? error.stack ?? error.message : String(error),
      });
      if (!res.headersSent) sendError(res, { status: 500, errcode: 'M_UNKNOWN', error: 'Internal Server Error' });
      else res.destroy();
    });
  });
  // A client that trickles its request must not hold a slot for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}
