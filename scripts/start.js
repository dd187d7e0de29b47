// npm start: build what changed since the last build (scripts/build.js: nothing, on a built tree),
// then run `lambkin serve --deploy-examples` in this same process — one node start, not two — so
// that the "ready in" the server prints counts from `npm start`'s own process start. Arguments
// after `npm start --` go to serve (e.g. npm start -- --port 9100).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from './build.js';

const t = performance.now();
let ran;
try {
  ran = await build();
} catch (err) {
  console.error(`lambkin build: ${err.message}`);
  process.exit(1);
}
if (ran.length) console.error(`lambkin build: ${ran.join(', ')} built (${((performance.now() - t) / 1000).toFixed(1)} s)`);

const cli = fileURLToPath(new URL('../bin/lambkin.js', import.meta.url));
process.argv = [process.argv[0], cli, 'serve', '--deploy-examples', ...process.argv.slice(2)];
createRequire(import.meta.url)(cli);
