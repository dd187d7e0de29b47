// The conformance suite against the `process` backend (with cgroups where the machine allows them),
// plain and wrapped with the pre-start pool.
import { detectCgroups } from '../../src/sandbox/cgroup/index.js';
import { ProcessBackend } from '../../src/sandbox/process/index.js';
import { withPrestart } from '../../src/sandbox/prestart/backend.js';
import { sandboxConformance } from './sandbox-cases.js';

const detected = detectCgroups();
const cgroups = 'cgroups' in detected ? detected.cgroups : undefined;

sandboxConformance({ name: 'process', create: (runDir) => new ProcessBackend(runDir, cgroups), tmpSizeLimited: false });
sandboxConformance({
  name: 'process, with the pre-start pool', create: (runDir) => withPrestart(new ProcessBackend(runDir, cgroups)), tmpSizeLimited: false, prestarting: true,
});
