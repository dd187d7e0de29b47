// The runtime conformance suite (runtime-cases.ts) against the JAVA row of the fixture table.
import { runtimeConformance } from './runtime-cases.js';
import { JAVA } from './runtime-targets.js';

runtimeConformance(JAVA);
