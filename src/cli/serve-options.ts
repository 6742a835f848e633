/** The `serve` command's options. */
import { z } from 'zod';
import type { Decls, Parsed } from './options.js';

const port = z.string().transform((s, ctx) => {
  const v = /^\d{1,5}$/.test(s) ? Number(s) : NaN;
  if (!(v >= 0 && v <= 65535)) {
    ctx.addIssue({ code: 'custom', message: 'must be a port number in [0, 65535] (0 picks a free one)' });
    return z.NEVER;
  }
  return v;
});

/** A host name or an IPv4/IPv6 address, as `listen` takes it; whether it exists is up to the system. */
const host = z.string().transform((s, ctx) => {
  if (!/^(\[?[0-9a-fA-F:.]+\]?|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: 'must be a host name or an IP address (e.g. 127.0.0.1, or 0.0.0.0 for every interface, which needs the printed token)' });
    return z.NEVER;
  }
  return s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
});

export const serveDecls = {
  db: { flag: '--db <file>', help: 'the SQLite store to show (opened read-only; a sweep may be writing to it)', schema: z.string().min(1), default: 'runs/batchwise.db' },
  port: { flag: '--port <n>', help: 'TCP port; 0 picks a free one', schema: port, default: '8080' },
  host: { flag: '--host <address>', help: 'address to listen on; anything but loopback requires the token the server prints', schema: host, default: '127.0.0.1' },
} satisfies Decls;

export type ServeOptions = Parsed<typeof serveDecls>;
