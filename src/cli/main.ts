#!/usr/bin/env node
/**
 * The `batchwise` command: dispatch, catch, print one clear line for a user's mistake, set the
 * exit code. Commands load lazily so `--help` stays instant.
 */
import { Interrupted, UserError } from '../errors.js';
import { EXIT, parseCli } from './parse.js';

async function main(): Promise<number> {
  const call = parseCli(process.argv.slice(2));
  switch (call.command) {
    case 'help':
      process.stdout.write(call.text);
      return EXIT.ok;
    case 'train':
      return (await import('./train-command.js')).trainCommand(call.options, call.given);
    case 'bench':
      return (await import('./bench-command.js')).benchCommand(call.options);
    case 'noise':
      return (await import('./noise-command.js')).noiseCommand(call.options);
    case 'sweep':
      return (await import('./sweep-command.js')).sweepCommand(call.options);
    case 'recommend':
      return (await import('./recommend-command.js')).recommendCommand(call.options);
    case 'runs':
      return (await import('./runs-command.js')).runsCommand(call.options);
    case 'report':
      return (await import('./report-command.js')).reportCommand(call.options);
    case 'fit':
      return (await import('./fit-command.js')).fitCommand(call.options);
    case 'serve':
      return (await import('./serve-command.js')).serveCommand(call.options);
    case 'worker':
      return (await import('./worker-command.js')).workerCommand(call.options);
    case 'lab':
      return (await import('./lab-command.js')).labCommand(call.experiment, call.options);
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof Interrupted) {
      process.stderr.write(`batchwise: ${e.message}\n`);
      process.exitCode = EXIT.interrupted;
    } else if (e instanceof UserError) {
      process.stderr.write(`batchwise: ${e.message}\n`);
      process.exitCode = EXIT.usage;
    } else {
      process.stderr.write(`batchwise: internal error (a bug; please report it with the command you ran):\n${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = EXIT.bug;
    }
  },
);
