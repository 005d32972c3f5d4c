// Thumbnails from the homeserver's authenticated media API, with the checks that make a peer's avatar safe to
// show: only a well-formed mxc:// URI is ever requested, only a raster image comes back, and never more bytes
// than a thumbnail needs. Free of matrix-js-sdk, which hands in its URL builder, token and fetch.
import { MxError } from '../errors.js';

/** What a Matrix client lends for fetching media. */
export interface MediaClient {
  /** The authenticated thumbnail URL (`/_matrix/client/v1/media/thumbnail/…`) of an mxc URI, or nothing. */
  url(mxcUri: string, width: number, height: number): string | null;
  accessToken(): string | null;
  fetch(url: string, init: RequestInit): Promise<Response>;
}

// A cropped avatar thumbnail is a few kilobytes; the largest thumbnail Synapse makes by default (800x600) stays
// well under this. Anything larger is not a thumbnail, and is not worth the memory.
export const MAX_THUMBNAIL_BYTES = 1024 * 1024;
const MAX_THUMBNAIL_PIXELS = 800;
const THUMBNAIL_TIMEOUT_MS = 20_000;
// The raster formats homeservers thumbnail to. No SVG: it is a document, and an avatar has no need of one.
const THUMBNAIL_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

/**
 * The thumbnail of `mxcUri`, cropped to the size asked for. Rejects with an `MxError`: `INVALID_CONFIGURATION`
 * for a URI `parseMxcUri` refuses or a size that is not a positive number (before any request), `INVALID_STATE`
 * without an access token (a widget's client has none), `HOMESERVER_UNREACHABLE` when the request fails, and
 * `UNKNOWN` for any answer but an image of at most `MAX_THUMBNAIL_BYTES`. An abort of `signal` rejects with
 * its reason.
 */
export async function fetchThumbnail(client: MediaClient, mxcUri: string, { width, height, signal }: MediaThumbnailOptions): Promise<Blob> {
  const what = `the thumbnail of ${quote(mxcUri)}`;
  if (!parseMxcUri(mxcUri)) throw new MxError('INVALID_CONFIGURATION', `Not an mxc:// content URI: ${quote(mxcUri)}.`);
  const url = client.url(mxcUri, thumbnailSide(width), thumbnailSide(height));
  if (!url) throw new MxError('INVALID_CONFIGURATION', `Not an mxc:// content URI: ${quote(mxcUri)}.`);
  const token = client.accessToken();
  if (!token) throw new MxError('INVALID_STATE', 'This session has no access token for the homeserver\'s media API.');
  const timeout = AbortSignal.timeout(THUMBNAIL_TIMEOUT_MS);
  let response: Response;
  try {
    response = await client.fetch(url, {
      headers: { Authorization: `Bearer ${token}` },
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new MxError('HOMESERVER_UNREACHABLE', `Could not fetch ${what}.`, { cause: error });
  }
  if (response.status !== 200) {
    await discard(response);
    throw new MxError('UNKNOWN', `The homeserver answered ${response.status} for ${what}.`);
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!THUMBNAIL_TYPES.has(type)) {
    await discard(response);
    throw new MxError('UNKNOWN', `The homeserver sent ${quote(type || 'untyped content')} for ${what}, not an image.`);
  }
  return new Blob(await readAtMost(response, MAX_THUMBNAIL_BYTES, what), { type });
}

/** A thumbnail side in whole pixels, within what homeservers make. */
function thumbnailSide(pixels: number): number {
  if (typeof pixels !== 'number' || !Number.isFinite(pixels) || pixels <= 0) {
    throw new MxError('INVALID_CONFIGURATION', `A thumbnail size must be a positive number of pixels, not ${quote(pixels)}.`);
  }
  return Math.min(MAX_THUMBNAIL_PIXELS, Math.max(1, Math.round(pixels)));
}

/** The body, refused (and its download stopped) as soon as it is larger than `limit` bytes. */
async function readAtMost(response: Response, limit: number, what: string): Promise<Uint8Array<ArrayBuffer>[]> {
  const tooLarge = () => new MxError('UNKNOWN', `The homeserver sent more than ${limit} bytes for ${what}.`);
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await discard(response);
    throw tooLarge();
  }
  const reader = response.body?.getReader();
  if (!reader) return [];
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** A peer-supplied value for a message: quoted, and cut short. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}

export interface MediaThumbnailOptions {
  /** Wanted size in CSS pixels times the device pixel ratio; the homeserver picks the nearest it has. */
  readonly width: number;
  readonly height: number;
  readonly signal?: AbortSignal | undefined;
}

/** The two parts of an `mxc://` content URI. */
export interface MxcUri {
  readonly serverName: string;
  readonly mediaId: string;
}

// The spec's grammar (appendices, "Server name"; client-server API, "Matrix Content (mxc://) URIs"): a server
// name is a DNS name or IPv4 address (the same characters) or a bracketed IPv6 literal, with an optional port;
// a media id is [A-Za-z0-9_-]. Anything else (a path, a query, userinfo, percent escapes) is refused, so the
// URI can only ever name a media id on a server, never steer the request somewhere else.
const MXC_URI = /^mxc:\/\/((?:\[[0-9A-Fa-f:.]{2,45}\]|[0-9A-Za-z.-]{1,255})(?::\d{1,5})?)\/([0-9A-Za-z_-]{1,255})$/u;

/** Splits a well-formed `mxc://server/mediaId` URI; `undefined` for anything else. */
export function parseMxcUri(uri: unknown): MxcUri | undefined {
  if (typeof uri !== 'string') return undefined;
  const match = MXC_URI.exec(uri);
  if (!match?.[1] || !match[2]) return undefined;
  return { serverName: match[1], mediaId: match[2] };
}
