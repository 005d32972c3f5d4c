// The application-service registration the homeserver loads (Synapse: `app_service_config_files`), and the
// namespace regex it and the Synapse module share. Pure text, so the tests compare it byte for byte.

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The visitors' user IDs: the prefix, the random part the service makes (a-z, 0-9), the server name. */
export function visitorUserRegex(localpartPrefix: string, serverName: string): string {
  return `@${escapeRegex(localpartPrefix)}[a-z0-9]+:${escapeRegex(serverName)}`;
}

export interface RegistrationOptions {
  id: string;
  asToken: string;
  hsToken: string;
  /** The service's own user; outside the visitor namespace, so the homeserver module never restricts it. */
  senderLocalpart: string;
  localpartPrefix: string;
  serverName: string;
}

/**
 * `url: null`: the homeserver pushes nothing to the service, which needs no events and opens no port to it.
 * The namespace is exclusive, so nobody else can register or log in as a visitor ID.
 */
export function registrationYaml(options: RegistrationOptions): string {
  const q = (value: string) => JSON.stringify(value);
  return [
    '# Application service registration of the matrix-call-kit visitor service.',
    '# Load it in the homeserver (Synapse: app_service_config_files) and restart it.',
    `id: ${q(options.id)}`,
    'url: null',
    `as_token: ${q(options.asToken)}`,
    `hs_token: ${q(options.hsToken)}`,
    `sender_localpart: ${q(options.senderLocalpart)}`,
    'rate_limited: true',
    'namespaces:',
    '  users:',
    '    - exclusive: true',
    `      regex: ${q(visitorUserRegex(options.localpartPrefix, options.serverName))}`,
    '  aliases: []',
    '  rooms: []',
    '',
  ].join('\n');
}
