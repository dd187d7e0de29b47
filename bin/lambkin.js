#!/usr/bin/env node
// The CLI entry point: runs the compiled CLI (npm ci and npm start build it; see package.json).
import '../dist/cli/index.js';
