/**
 * `batchwise serve`: the live dashboard of a store (see src/serve). It prints the URL to open on
 * stdout and runs until Ctrl-C (or SIGTERM), which is its normal end: it then closes its sockets
 * and the store and exits 0.
 */
import { UserError } from '../errors.js';
import { startServer } from '../serve/server.js';
import { Store } from '../store/store.js';
import { EXIT } from './parse.js';
import type { ServeOptions } from './serve-options.js';

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'is already in use; give another --port, or --port 0 to pick a free one',
  EACCES: 'needs privileges this user lacks; give a --port above 1023, or --port 0',
  EADDRNOTAVAIL: 'is not an address of this machine; give one of its addresses, 127.0.0.1, or 0.0.0.0',
  ENOTFOUND: 'is not a known host name; give an IP address such as 127.0.0.1',
  EAI_AGAIN: 'could not be resolved; give an IP address such as 127.0.0.1',
};

export async function serveCommand(o: ServeOptions): Promise<number> {
  const store = Store.openReadOnly(o.db);
  let server;
  try {
    server = await startServer(store, {
      host: o.host,
      port: o.port,
      onError: (e) => process.stderr.write(`batchwise serve: a request failed: ${(e as Error)?.message ?? String(e)}\n`),
    });
  } catch (e) {
    store.close();
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const why = LISTEN_ERRORS[code];
    if (why === undefined) throw e;
    const what = code === 'EADDRINUSE' || code === 'EACCES' ? `--port ${o.port}` : `--host ${o.host}`;
    throw new UserError(`${what} ${why}`);
  }
  process.stderr.write(`batchwise serve: ${o.db} (read-only) at ${server.url}${server.token === null ? '' : ' (the token is required: this address is not loopback)'}; Ctrl-C to stop\n`);
  process.stdout.write(`${server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  store.close();
  process.stderr.write('batchwise serve: stopped\n');
  return EXIT.ok;
}
