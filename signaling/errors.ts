/** Stable codes for every failure a user of the kit can meet. Host pages may switch on them. */
export const MX_ERROR_CODES = [
  'HOMESERVER_UNREACHABLE',
  /** The homeserver refused a request for good (a 4xx other than 401 and 429), e.g. a call event in a room we left. */
  'HOMESERVER_REFUSED',
  'LOGIN_FAILED',
  'SESSION_EXPIRED',
  'INVALID_CONFIGURATION',
  'MEDIA_PERMISSION_DENIED',
  'MEDIA_DEVICE_NOT_FOUND',
  'MEDIA_DEVICE_IN_USE',
  'MEDIA_UNSUPPORTED',
  'INVALID_STATE',
  /** A method was given a value it cannot use (the message says which and why). */
  'INVALID_ARGUMENT',
  'NO_RTC_TRANSPORT',
  'TOKEN_SERVICE_UNAUTHORIZED',
  'TOKEN_SERVICE_UNREACHABLE',
  /** The LiveKit token service refused the request for another reason than the account (a 4xx other than 401/403). */
  'TOKEN_SERVICE_REFUSED',
  /** The LiveKit token service answered without a usable `{ url, jwt }`. */
  'TOKEN_SERVICE_INVALID_ANSWER',
  /** The room's power levels do not let this user publish a call membership; a room admin can change them. */
  'RTC_MEMBERSHIP_FORBIDDEN',
  /** The group call's connection to its SFU ended and could not be restored. */
  'RTC_CONNECTION_LOST',
  'ICE_FAILED',
  /** The person called never joined the conversation the call needs (they declined it, or did not accept in time). */
  'PEER_UNAVAILABLE',
  /** A visitor service or homeserver refused because this client asked too often; `retryAfterMs` says when to retry. */
  'RATE_LIMITED',
  /** The site's visitor service does not let visitors call this user. */
  'TARGET_NOT_ALLOWED',
  /** The visitor service does not serve this page's origin. */
  'ORIGIN_NOT_ALLOWED',
  /** The site's visitor service does not let visitors join this room's call. */
  'ROOM_NOT_ALLOWED',
  /** The visitor service may let visitors in, but the homeserver refused to join them to the room. */
  'ROOM_NOT_JOINABLE',
  'VISITOR_SERVICE_UNREACHABLE',
  'UNKNOWN',
] as const;

export type MxErrorCode = (typeof MX_ERROR_CODES)[number];

/** The one error type the kit throws or reports; `code` is stable, `message` is for people. */
export class MxError extends Error {
  override readonly name = 'MxError';

  /** How long to wait before asking again, when a rate limit said (`RATE_LIMITED`, a homeserver's 429). */
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: MxErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** Wraps anything thrown into an MxError, keeping MxErrors as they are. */
  static from(error: unknown, code: MxErrorCode = 'UNKNOWN'): MxError {
    if (error instanceof MxError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new MxError(code, message, { cause: error });
  }
}

/**
 * The homeserver could not take a request for now: it was unreachable, failed (5xx) or asked us to slow down
 * (429, after `retryAfterMs` when it said).
 */
export class HomeserverUnavailableError extends MxError {
  constructor(message: string, retryAfterMs: number | undefined, options?: { cause?: unknown }) {
    super('HOMESERVER_UNREACHABLE', message, retryAfterMs === undefined ? options : { ...options, retryAfterMs });
  }
}
