// The runtime conformance suite (runtime-cases.ts) against the RIC row of the fixture table.
import { runtimeConformance } from './runtime-cases.js';
import { RIC } from './runtime-targets.js';

runtimeConformance(RIC);
