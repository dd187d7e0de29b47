// The runtime conformance suite (runtime-cases.ts) against the RUBY row of the fixture table.
import { runtimeConformance } from './runtime-cases.js';
import { RUBY } from './runtime-targets.js';

runtimeConformance(RUBY);
