// HTTP pieces both services' servers use the same way. Node only (servers are not unit-tested in the browser).
import type http from 'node:http';

/** The body as UTF-8 text, or `{ ok: false }` once it is larger than `limit` bytes (declared or sent). */
export type BodyResult = { ok: true; text: string } | { ok: false };

export function readBody(req: http.IncomingMessage, limit: number): Promise<BodyResult> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve({ ok: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        // Stop buffering; the caller answers with Connection: close, and node drains and drops the rest.
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}

/** A JSON reply that no proxy or browser caches: tokens, credentials and per-client refusals. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}
