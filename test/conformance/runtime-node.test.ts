// The runtime conformance suite (runtime-cases.ts) against the NODE row of the fixture table.
import { runtimeConformance } from './runtime-cases.js';
import { NODE } from './runtime-targets.js';

runtimeConformance(NODE);
