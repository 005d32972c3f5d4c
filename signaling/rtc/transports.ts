// Where a group call's LiveKit SFU is found: the transports the homeserver lists (MSC4143), then the
// `org.matrix.msc4143.rtc_foci` of its /.well-known/matrix/client (Element Call dropped that lookup, but deployed
// homeservers still publish it), then the kit's own configuration. Every answer is checked here, at the edge:
// an entry the kit cannot use is dropped with its reason logged.
import type { MatrixClient } from 'matrix-js-sdk';
import { MxError } from '../errors.js';
import type { Logger } from '../log.js';
import { isRecord } from '../json.js';

export const TRANSPORT_SOURCES = ['homeserver', 'well-known', 'configuration'] as const;
export type TransportSource = (typeof TRANSPORT_SOURCES)[number];

/** A LiveKit SFU behind its token service (the lk-jwt-service contract: `/sfu/get`, `/get_token`). */
export interface LivekitTransport {
  /** The token service's base URL; it answers with the SFU's URL and a JWT. */
  readonly livekitServiceUrl: string;
  /** Where the kit found it. */
  readonly source: TransportSource;
}

/** What discovery reads. Over matrix-js-sdk: `clientTransportSources`. */
export interface TransportSources {
  /** For the error message: whose homeserver lacked a transport. */
  readonly homeserverUrl: string;
  /** The homeserver's `rtc_transports` (MSC4143). Rejects when it does not serve them (404) or fails. */
  homeserverTransports(): Promise<unknown>;
  /** The content of the homeserver's `/.well-known/matrix/client`; rejects or resolves undefined when there is none. */
  wellKnown(): Promise<unknown>;
}

/** Entries read from one answer at most: a real list has one or two. */
const MAX_ENTRIES = 16;
const MAX_URL_LENGTH = 2048;
export const TRANSPORTS_PATH = '/_matrix/client/unstable/org.matrix.msc4143/rtc/transports';
const WELL_KNOWN_KEY = 'org.matrix.msc4143.rtc_foci';

/**
 * The usable LiveKit transports of the first source that has any, in its order (a call publishes on the first).
 * Rejects with `NO_RTC_TRANSPORT`, saying what an administrator can configure where, when no source has one.
 */
export async function discoverTransports(sources: TransportSources, configured: readonly string[], log: Logger): Promise<LivekitTransport[]> {
  const fromHomeserver = await sources.homeserverTransports().then(
    (answer) => usable(answer, 'homeserver', log),
    (error: unknown) => {
      log.info(`the homeserver lists no RTC transports (${TRANSPORTS_PATH}): ${describe(error)}`);
      return [];
    },
  );
  if (fromHomeserver.length > 0) return fromHomeserver;

  const fromWellKnown = await sources.wellKnown().then(
    (content) => {
      const foci = isRecord(content) ? content[WELL_KNOWN_KEY] : undefined;
      return foci === undefined ? [] : usable(foci, 'well-known', log);
    },
    (error: unknown) => {
      log.info(`no /.well-known/matrix/client to read ${WELL_KNOWN_KEY} from: ${describe(error)}`);
      return [];
    },
  );
  if (fromWellKnown.length > 0) return fromWellKnown;

  const fromConfiguration = usable(configured.map((url) => ({ type: 'livekit', livekit_service_url: url })), 'configuration', log);
  if (fromConfiguration.length > 0) return fromConfiguration;

  throw new MxError('NO_RTC_TRANSPORT',
    `Group calls need a LiveKit SFU, and none was found for ${sources.homeserverUrl}: the homeserver lists no transport at ` +
    `${TRANSPORTS_PATH} (Synapse: \`matrix_rtc.transports\`, with \`experimental_features.msc4143_enabled\`), ` +
    `its /.well-known/matrix/client has no \`${WELL_KNOWN_KEY}\`, and the app gave the kit no \`livekitServiceUrls\`. ` +
    'The homeserver\'s administrator can publish a LiveKit token service in either place, or the app can name one.');
}

/** The entries of `list` the kit can use, each once; the others are logged with their reason. */
function usable(list: unknown, source: TransportSource, log: Logger): LivekitTransport[] {
  if (!Array.isArray(list)) {
    log.warn(`RTC transports from the ${source}: not a list, ignored`);
    return [];
  }
  if (list.length > MAX_ENTRIES) log.warn(`RTC transports from the ${source}: ${list.length} entries, only the first ${MAX_ENTRIES} read`);
  const found: LivekitTransport[] = [];
  for (const entry of list.slice(0, MAX_ENTRIES)) {
    const parsed = parseTransport(entry);
    if ('refused' in parsed) {
      log.info(`RTC transport from the ${source} ignored: ${parsed.refused}`);
      continue;
    }
    if (found.some((known) => known.livekitServiceUrl === parsed.livekitServiceUrl)) continue;
    found.push({ livekitServiceUrl: parsed.livekitServiceUrl, source });
  }
  return found;
}

/** The token service URL of one entry (`livekit` with `livekit_service_url`, `m.livekit` with `url`), or why not. */
export function parseTransport(entry: unknown): { livekitServiceUrl: string } | { refused: string } {
  const refused = (reason: string) => ({ refused: reason });
  if (!isRecord(entry)) return refused('not an object');
  const { type } = entry;
  let url: unknown;
  if (type === 'livekit') url = entry.livekit_service_url;
  else if (type === 'm.livekit') url = entry.url;
  else return refused(`type ${typeof type === 'string' ? JSON.stringify(type.slice(0, 64)) : String(type)} is not a LiveKit transport`);
  const field = type === 'livekit' ? 'livekit_service_url' : 'url';
  if (typeof url !== 'string') return refused(`${field} is not a string`);
  if (url.length > MAX_URL_LENGTH) return refused(`${field} is longer than ${MAX_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refused(`${field} ${JSON.stringify(url.slice(0, 200))} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return refused(`${field} is not an http(s) URL`);
  // Credentials in the URL would go to whatever the entry names; a token service needs none there.
  if (parsed.username || parsed.password) return refused(`${field} carries credentials`);
  return { livekitServiceUrl: url.replace(/\/+$/, '') };
}

/**
 * The two sources over a matrix-js-sdk client: its cached MSC4143 answer (a widget's client asks its host) and
 * .well-known: the client's, read at the server name's domain, else the homeserver's own (Synapse serves one
 * at its public base URL, which is also what an app whose server name has no web server gives the kit).
 */
export function clientTransportSources(client: MatrixClient, fetchWellKnown: typeof fetch = fetch): TransportSources {
  const homeserverUrl = client.getHomeserverUrl().replace(/\/+$/, '');
  return {
    homeserverUrl,
    homeserverTransports: () => client.cachedRtcTransports.wait(),
    wellKnown: async () => {
      const atDomain: unknown = await client.waitForClientWellKnown().catch(() => undefined);
      if (isRecord(atDomain) && WELL_KNOWN_KEY in atDomain) return atDomain;
      return readWellKnown(`${homeserverUrl}/.well-known/matrix/client`, fetchWellKnown);
    },
  };
}

/** A .well-known document is a few hundred bytes; a larger answer is not one. */
const MAX_WELL_KNOWN_BYTES = 64 * 1024;
const WELL_KNOWN_TIMEOUT_MS = 10_000;

async function readWellKnown(url: string, fetchWellKnown: typeof fetch): Promise<unknown> {
  const response = await fetchWellKnown(url, { signal: AbortSignal.timeout(WELL_KNOWN_TIMEOUT_MS), credentials: 'omit' });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_WELL_KNOWN_BYTES) throw new Error(`${url} is larger than a .well-known document (${text.length} bytes)`);
  return JSON.parse(text) as unknown;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
