// The conformance suite against the `namespace` backend (bubblewrap), with its default isolated
// network: the Runtime API reached through the in-sandbox forwarder, egress through slirp4netns.
import { detectCgroups } from '../../src/sandbox/cgroup/index.js';
import { NamespaceBackend } from '../../src/sandbox/namespace/index.js';
import { probeBwrap } from '../../src/sandbox/namespace/probe.js';
import { sandboxConformance } from './sandbox-cases.js';

const detected = detectCgroups();
const probe = probeBwrap();
if ('problem' in probe) throw new Error(`the namespace backend cannot run here: ${probe.problem}`);

sandboxConformance({
  name: 'namespace (network isolated)',
  create: (runDir) => new NamespaceBackend({
    runDir, network: 'isolated', tools: probe.tools, cgroups: 'cgroups' in detected ? detected.cgroups : undefined,
  }),
  tmpSizeLimited: true,
});
