/**
 * `parseCli` is pure: argv in, the command and its checked options out, or a UserError.
 * Options come from each command's declarations, so `--help` and validation cannot disagree.
 */
import { Command, CommanderError, Option } from 'commander';
import { UserError } from '../errors.js';
import { benchDecls } from './bench-options.js';
import { fitDecls } from './fit-options.js';
import { labDecls } from './lab-options.js';
import { isBoolean, parseOptions, type Decls, type Parsed } from './options.js';
import { noiseDecls } from './noise-options.js';
import { recommendDecls } from './recommend-options.js';
import { sweepDecls } from './sweep-options.js';
import { reportDecls } from './report-options.js';
import { runsDecls } from './runs-options.js';
import { serveDecls } from './serve-options.js';
import { trainDecls } from './train-options.js';
import { workerDecls } from './worker-options.js';

export const EXIT = { ok: 0, diverged: 3, usage: 2, bug: 1, interrupted: 130 } as const;

const COMMANDS = {
  train: { decls: trainDecls, summary: 'train a model on a dataset with a given batch size, iter size and optimizer' },
  bench: { decls: benchDecls, summary: 'training throughput per batch size next to this machine’s matrix-multiply rate' },
  fit: { decls: fitDecls, summary: 'the largest micro-batch whose training step fits a memory budget, and peak memory by component' },
  noise: { decls: noiseDecls, summary: 'the gradient noise scale (McCandlish B_simple) measured along a training run, with its interval' },
  sweep: { decls: sweepDecls, summary: 'train to a target accuracy at every batch size with tuned learning rates; resumable (SQLite)' },
  recommend: { decls: recommendDecls, summary: 'the batch size, iter size and learning rate to use, from memory, throughput and the gradient noise scale' },
  runs: { decls: runsDecls, summary: 'list the runs in a store (--db), show one run’s trials, or export a table as CSV or JSON' },
  serve: { decls: serveDecls, summary: 'a live dashboard of a store (--db) in the browser: its runs, their plots, the trial in progress' },
  lab: { decls: labDecls, summary: 'run one of the seed’s claims as an experiment: lab zigzag, …; prints its figures, writes its plots (--out)' },
  report: { decls: reportDecls, summary: 'the evidence as plots: one self-contained HTML file for the runs in a store, or each plot as SVG or PNG' },
  worker: { decls: workerDecls, summary: 'train the trials of queued sweeps (sweep --queue) from Redis on this machine, until Ctrl-C' },
} as const;

type CommandName = keyof typeof COMMANDS;
export type CliCall =
  | { readonly command: 'train'; readonly options: Parsed<typeof trainDecls>; readonly given: string[] }
  | { readonly command: 'bench'; readonly options: Parsed<typeof benchDecls>; readonly given: string[] }
  | { readonly command: 'noise'; readonly options: Parsed<typeof noiseDecls>; readonly given: string[] }
  | { readonly command: 'sweep'; readonly options: Parsed<typeof sweepDecls>; readonly given: string[] }
  | { readonly command: 'recommend'; readonly options: Parsed<typeof recommendDecls>; readonly given: string[] }
  | { readonly command: 'runs'; readonly options: Parsed<typeof runsDecls>; readonly given: string[] }
  | { readonly command: 'report'; readonly options: Parsed<typeof reportDecls>; readonly given: string[] }
  | { readonly command: 'fit'; readonly options: Parsed<typeof fitDecls>; readonly given: string[] }
  | { readonly command: 'serve'; readonly options: Parsed<typeof serveDecls>; readonly given: string[] }
  | { readonly command: 'worker'; readonly options: Parsed<typeof workerDecls>; readonly given: string[] }
  | { readonly command: 'lab'; readonly options: Parsed<typeof labDecls>; readonly given: string[]; readonly experiment: string | undefined }
  | { readonly command: 'help'; readonly text: string };

function declare(cmd: Command, decls: Decls): void {
  for (const d of Object.values(decls)) {
    const o = new Option(d.flag, d.help);
    if (d.default !== undefined && !isBoolean(d)) o.default(d.default);
    cmd.addOption(o);
  }
}

/** Parse argv (without `node` and the script). Throws UserError for any bad input. */
export function parseCli(argv: readonly string[]): CliCall {
  let helpText = '';
  const program = new Command('batchwise')
    .description('Train neural networks with mini-batch SGD on ONNX Runtime, measure what the batch size does, and find the batch size, iter size and learning rate to use.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (helpText += s), writeErr: () => undefined });
  let call: CliCall | null = null;
  for (const [name, { decls, summary }] of Object.entries(COMMANDS) as [CommandName, (typeof COMMANDS)[CommandName]][]) {
    const cmd = program.command(name).description(summary).allowExcessArguments(false);
    cmd.exitOverride().configureOutput({ writeOut: (s) => (helpText += s), writeErr: () => undefined });
    declare(cmd, decls);
    if (name === 'lab') cmd.argument('[experiment]', 'the experiment to run');
    cmd.action(() => {
      const raw = cmd.opts<Record<string, string | boolean | undefined>>();
      const given = Object.keys(decls).filter((k) => cmd.getOptionValueSource(k) === 'cli');
      call = { command: name, options: parseOptions(decls, raw), given, ...(name === 'lab' ? { experiment: cmd.args[0] } : {}) } as CliCall;
    });
  }
  try {
    program.parse(argv as string[], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') {
        // With no command at all, commander writes the help as an error (to writeErr), so it is not in helpText.
        return { command: 'help', text: helpText || program.helpInformation() };
      }
      const message = e.message.replace(/^error: /, '');
      throw new UserError(`${message} (see batchwise ${argv[0] && argv[0] in COMMANDS ? `${argv[0]} ` : ''}--help)`);
    }
    throw e;
  }
  if (call === null) {
    program.outputHelp();
    return { command: 'help', text: helpText };
  }
  return call;
}

