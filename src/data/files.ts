import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';

/**
 * Reads a file the user named. The common ways a path can be wrong become one-line UserErrors;
 * anything else (EIO, ...) is unexpected and keeps its stack.
 */
export function readUserFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`no such file: ${path}`);
    if (code === 'EISDIR') throw new UserError(`${path} is a directory, not a file`);
    if (code === 'EACCES' || code === 'EPERM') throw new UserError(`cannot read ${path}: permission denied`);
    if (code === 'ERR_FS_FILE_TOO_LARGE') throw new UserError(`${path}: file is too large to load (over 2 GiB)`);
    throw e;
  }
}
