// This node's name on a shared database: made once, kept in <dataDir>/node-id, read back at every
// start. A store that hands work to one node at a time (the async queue's claims) lets a node that
// restarts under the same name take its own unfinished work back at once; under another name that
// work would wait for its lease to end (20 minutes).
//
// Why a file in the data folder, not the hostname: the name must follow what the node *is* — the
// data folder it runs from, with its code cache and run folder — not the machine's name. A
// container gets a new hostname each time it is made again on the same volume, and several
// machines often use the same path (/var/lib/lambkin): hostname + path would change under the
// first and collide under the second. The hostname is kept in the name only so that a person
// reading claimed_by can tell the nodes apart. (A copied data folder copies the name: delete
// node-id in the copy.)
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const FILE = 'node-id';
const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

export function nodeName(dataDir: string): string {
  const path = join(dataDir, FILE);
  const stored = read(path);
  if (stored) return stored;
  const made = `${hostname().replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 63) || 'node'}:${randomBytes(6).toString('hex')}`;
  try {
    // wx: of two starts at once, one writes and the other reads its name. A damaged file is replaced.
    writeFileSync(path, made + '\n', { flag: stored === undefined ? 'wx' : 'w' });
    return made;
  } catch (err) {
    const again = (err as NodeJS.ErrnoException).code === 'EEXIST' ? read(path) : undefined;
    if (again) return again;
    throw err;
  }
}

/** The stored name; undefined when there is no file, null when it holds no valid name. */
function read(path: string): string | undefined | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return VALID.test(text) ? text : null;
}
