// The conformance suite against the `namespace` backend (bubblewrap), with its default isolated
// network: the Runtime API reached through the in-sandbox forwarder, egress through slirp4netns.
// Plain and wrapped with the pre-start pool.
import { detectCgroups } from '../../src/sandbox/cgroup/index.js';
import { NamespaceBackend } from '../../src/sandbox/namespace/index.js';
import { probeBwrap } from '../../src/sandbox/namespace/probe.js';
import { withPrestart } from '../../src/sandbox/prestart/backend.js';
import { sandboxConformance } from './sandbox-cases.js';

const detected = detectCgroups();
const probe = probeBwrap();
if ('problem' in probe) throw new Error(`the namespace backend cannot run here: ${probe.problem}`);
const { tools } = probe;
const create = (runDir: string) => new NamespaceBackend({
  runDir, network: 'isolated', tools, cgroups: 'cgroups' in detected ? detected.cgroups : undefined,
});

sandboxConformance({ name: 'namespace (network isolated)', create, tmpSizeLimited: true });
sandboxConformance({
  name: 'namespace (network isolated), with the pre-start pool', create: (runDir) => withPrestart(create(runDir)), tmpSizeLimited: true, prestarting: true,
});
