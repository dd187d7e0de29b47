// cli/ owns the `lambkin` command line: one file per command, talking to the server only through
// client/. bin/lambkin.js imports this module, which runs the CLI.
import { main } from './program.js';

// `lambkin logs … | head` closes the pipe early: that is the reader being done, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

await main();
