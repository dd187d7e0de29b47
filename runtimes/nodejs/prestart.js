// A pre-started runtime (lambkin's sandbox/prestart/pool.ts): started before its function was
// known, with _LAMBKIN_PRESTART set and a pipe on stdin. Its modules are loaded by now; it blocks
// here until the host writes the function's whole environment (one JSON object) and closes the
// pipe, then takes that environment as its own — nothing of the start-up one is left — and puts
// /dev/null on fd 0, as a runtime started normally has.
import { closeSync, openSync, readSync } from 'node:fs';
import Module from 'node:module';

export function awaitAssignment() {
  const chunks = [];
  const buf = Buffer.allocUnsafe(65536);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 1); // a non-blocking pipe: nothing yet
      continue;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  // Closed without a word: the host gave up this sandbox.
  if (chunks.length === 0) process.exit(0);
  const env = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, env);
  // require() took its global folders from NODE_PATH as the process started: read them again, so
  // that a function's layers (/opt/nodejs/node_modules) are found as in a runtime started for it.
  if (typeof Module._initPaths === 'function') Module._initPaths();
  closeSync(0);
  openSync('/dev/null', 'r'); // the lowest free fd: 0
}
