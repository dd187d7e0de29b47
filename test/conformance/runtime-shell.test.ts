// The runtime conformance suite (runtime-cases.ts) against the SHELL row of the fixture table.
import { runtimeConformance } from './runtime-cases.js';
import { SHELL } from './runtime-targets.js';

runtimeConformance(SHELL);
