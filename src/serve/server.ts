/**
 * `batchwise serve`'s HTTP server: node:http around `route`, read-only on the store.
 *
 * Safety, in the manner of Jupyter: it binds loopback by default, and there it accepts only a
 * loopback Host header (a page elsewhere cannot reach it by DNS rebinding). Bound to any other
 * address it requires a random token, given once as `?token=` (the URL the CLI prints) and then
 * carried by a same-site, HTTP-only cookie. Timeouts and a header size cap keep slow or huge
 * requests from holding it; a request that fails inside a route gets a 500 and the server goes on.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../store/store.js';
import { labRoute, type FileReply } from './lab-routes.js';
import { route, type Reply } from './routes.js';

export interface ServeOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Required on a non-loopback host; a fresh one is made when absent there. */
  readonly token?: string;
  /** How long a client may take to send a whole request, and may idle on a connection (default 10 s). */
  readonly timeoutMs?: number;
  /** Where a failure inside a route is reported (the CLI prints it); the request gets a 500. */
  readonly onError?: (e: unknown) => void;
}

export interface RunningServer {
  /** The address to open, with `?token=` when one is required. */
  readonly url: string;
  readonly port: number;
  readonly token: string | null;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
export const isLoopback = (host: string): boolean => LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

const COOKIE = 'batchwise_token';
const TYPES = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  wasm: 'application/wasm',
  bin: 'application/octet-stream',
} as const;
/** Inline scripts only (vega compiles its expressions, hence eval); nothing may load from elsewhere. */
const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(header: string | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v !== undefined) return v;
  }
  return null;
}

/** The port-less host name a Host header names (`[::1]:8080` → `[::1]`). */
function hostName(header: string | undefined): string {
  const h = header ?? '';
  return h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.replace(/:\d*$/, '');
}

type Gate = { readonly ok: true; readonly setCookie: boolean } | { readonly ok: false; readonly reply: Reply };

function gate(req: IncomingMessage, token: string | null): Gate {
  if (token === null) {
    if (isLoopback(hostName(req.headers.host))) return { ok: true, setCookie: false };
    return { ok: false, reply: { status: 403, type: 'text', body: 'this server answers only to a loopback Host (127.0.0.1 or localhost)\n' } };
  }
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const given = q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('token');
  if (given !== null && sameSecret(given, token)) return { ok: true, setCookie: true };
  const cookie = cookieToken(req.headers.cookie);
  if (cookie !== null && sameSecret(cookie, token)) return { ok: true, setCookie: false };
  return { ok: false, reply: { status: 403, type: 'text', body: 'a token is required: open the URL that batchwise serve printed (it ends with ?token=...)\n' } };
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply | FileReply, extra: Record<string, string> = {}): void {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  res.writeHead(reply.status, {
    'Content-Type': TYPES[reply.type],
    // A 304's length would be the held file's, not its empty body's: leave it out.
    ...(reply.status === 304 ? {} : { 'Content-Length': String(body.length) }),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...(reply.type === 'html' ? { 'Content-Security-Policy': CSP } : {}),
    ...reply.headers,
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function handler(store: Store, token: string | null, onError: (e: unknown) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const g = gate(req, token);
    if (!g.ok) return send(req, res, g.reply);
    let reply: Reply | FileReply;
    try {
      reply = labRoute(req.method ?? 'GET', req.url ?? '/', req.headers['if-none-match']) ?? route(store, req.method ?? 'GET', req.url ?? '/');
    } catch (e) {
      onError(e);
      reply = { status: 500, type: 'text', body: 'the store could not be read for this request; try again\n' };
    }
    const cookie = g.setCookie && token !== null ? { 'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` } : {};
    send(req, res, reply, cookie);
  };
}

export async function startServer(store: Store, o: ServeOptions): Promise<RunningServer> {
  const token = isLoopback(o.host) ? null : (o.token ?? randomBytes(24).toString('hex'));
  const timeoutMs = o.timeoutMs ?? 10_000;
  const server: Server = createServer(
    {
      maxHeaderSize: 16 * 1024,
      headersTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      keepAliveTimeout: Math.min(5_000, timeoutMs),
      connectionsCheckingInterval: Math.min(1_000, timeoutMs),
    },
    handler(store, token, o.onError ?? (() => undefined)),
  );
  server.maxConnections = 128;
  // A request body is never read (GET only): an idle or trickling socket is dropped.
  server.setTimeout(timeoutMs, (socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host;
  return {
    url: `http://${shown}:${port}/${token === null ? '' : `?token=${token}`}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
