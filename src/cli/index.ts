// cli/ owns the `lambkin` command line: one file per command, talking to the server only through
// client/. Importing this module runs the CLI: bin/lambkin.js runs it bundled into one CommonJS
// file (dist/cli/lambkin.cjs, made by scripts/build-cli.js), or this file as compiled.
import { main } from './program.js';

// `lambkin logs … | head` closes the pipe early: that is the reader being done, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

void main();
