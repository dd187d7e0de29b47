// The runtime conformance suite (runtime-cases.ts) against the GO row of the fixture table.
import { runtimeConformance } from './runtime-cases.js';
import { GO } from './runtime-targets.js';

runtimeConformance(GO);
