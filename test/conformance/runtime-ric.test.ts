// The runtime conformance suite (runtime-cases.ts) against the RIC row of the fixture table.
// aws-lambda-ric is installed first, on demand and once (ric-install.ts): it is no dependency of
// lambkin. Only missing build tools skip it, saying so.
import { runtimeConformance } from './runtime-cases.js';
import { ensureRic } from './ric-install.js';
import { RIC } from './runtime-targets.js';

const cannot = ensureRic();
runtimeConformance(cannot ? { ...RIC, unavailable: () => cannot } : RIC);
