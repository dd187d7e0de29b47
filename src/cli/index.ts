// cli/ owns the `lambkin` command line: one file per command, talking to the server only through
// client/. bin/lambkin.js imports this module, which runs the CLI.
import { main } from './program.js';

await main();
