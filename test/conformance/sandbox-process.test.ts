// The conformance suite against the `process` backend (with cgroups where the machine allows them).
import { detectCgroups } from '../../src/sandbox/cgroup/index.js';
import { ProcessBackend } from '../../src/sandbox/process/index.js';
import { sandboxConformance } from './sandbox-cases.js';

const detected = detectCgroups();

sandboxConformance({
  name: 'process',
  create: (runDir) => new ProcessBackend(runDir, 'cgroups' in detected ? detected.cgroups : undefined),
  tmpSizeLimited: false,
});
