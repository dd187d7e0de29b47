#!/usr/bin/env node
// The CLI entry point (CommonJS: see bin/package.json). It runs the CLI bundled into one file,
// dist/cli/lambkin.cjs, which starts faster (scripts/build-cli.js says why); `npm run build` makes
// it, and npm ci / npm start build. When the bundle is missing or older than the compiled CLI
// (after a bare `tsc`), it runs the compiled CLI, dist/cli/index.js, as it is.
'use strict';
const { statSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist', 'cli');
const mtime = (file) => statSync(join(dist, file), { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime('lambkin.cjs');
const compiled = mtime('index.js');
if (bundled !== undefined && (compiled === undefined || bundled >= compiled)) require(join(dist, 'lambkin.cjs'));
else import('../dist/cli/index.js');
