// The runtime conformance suite (runtime-cases.ts) against the PYTHON row of the fixture table.
import { runtimeConformance } from './runtime-cases.js';
import { PYTHON } from './runtime-targets.js';

runtimeConformance(PYTHON);
