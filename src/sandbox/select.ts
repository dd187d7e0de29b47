// Which sandbox backend this server uses, decided once at start. `namespace` where bubblewrap
// works, else `process` with a warning saying what is lost and what to install; an explicit
// choice that cannot be honoured is an error (a ConfigError), never a silent downgrade. Likewise cgroups: used
// when they can be created, else one warning and runtime-level caps.
import { ConfigError } from '../errors.js';
import type { SandboxBackend } from './types.js';
import { detectCgroups, type Cgroups } from './cgroup/index.js';
import { ProcessBackend } from './process/index.js';
import { NamespaceBackend } from './namespace/index.js';
import { NETWORK_MODES, SANDBOX_NAMES, type NetworkMode, type SandboxName } from '../settings.js';
import { INSTALL_HINT, probeBwrap } from './namespace/probe.js';
import { seccompFilter } from './namespace/seccomp/index.js';
import { withPrestart } from './prestart/backend.js';

export { NETWORK_MODES, SANDBOX_NAMES, type NetworkMode, type SandboxName };

export interface SandboxRequest {
  readonly runDir: string;
  /** undefined: namespace where it works, else process. */
  readonly sandbox?: SandboxName;
  /** undefined: isolated under namespace (host where socat/slirp4netns are missing). */
  readonly network?: NetworkMode;
  /** Pre-started sandboxes (prestart/pool.ts); false with LAMBKIN_PRESTART=off (to compare, or to keep no idle runtime around). */
  readonly prestart?: boolean;
}

export interface SandboxChoice {
  readonly backend: SandboxBackend;
  readonly network?: NetworkMode;
  readonly cgroups?: Cgroups;
  /** One line for the server's start-up output. */
  readonly summary: string;
  /**
   * Release what the choice holds (pre-started sandboxes, this server's cgroup folders), after
   * every environment stopped.
   */
  close(): Promise<void>;
}

export function chooseSandbox(req: SandboxRequest, warn: (line: string) => void): SandboxChoice {
  const choice = chooseBackend(req, warn);
  if (req.prestart === false) return choice;
  const backend = withPrestart(choice.backend);
  return {
    ...choice,
    backend,
    close: async () => {
      await backend.close();
      await choice.close();
    },
  };
}

function chooseBackend(req: SandboxRequest, warn: (line: string) => void): SandboxChoice {
  if (req.sandbox === 'process' && req.network && req.network !== 'host') {
    throw new ConfigError(`--network ${req.network} needs --sandbox namespace: the process sandbox always shares the host's network`);
  }
  const detected = detectCgroups();
  const cgroups = 'cgroups' in detected ? detected.cgroups : undefined;
  if (!cgroups) {
    warn(`lambkin: warning: cgroups are not usable here (${'problem' in detected ? detected.problem : ''}). ` +
      'Memory limits are then only the runtimes\' own caps (Node.js --max-old-space-size), fork bombs are not ' +
      'contained and Max Memory Used comes from /proc. Run lambkin as root (or in a delegated cgroup) to enforce them.');
  }
  const limits = cgroups ? `cgroups v${cgroups.version} at ${cgroups.where}` : 'no cgroups';
  const processBackend = (): SandboxChoice => ({
    backend: new ProcessBackend(req.runDir, cgroups), cgroups, summary: `sandbox process (${limits})`,
    close: async () => cgroups?.close(),
  });
  if (req.sandbox === 'process') return processBackend();

  const probe = probeBwrap();
  if ('problem' in probe) {
    if (req.sandbox === 'namespace') throw new ConfigError(`--sandbox namespace: ${probe.problem}. Install it: ${INSTALL_HINT}`);
    warn(`lambkin: warning: ${probe.problem}: environments run in the weaker \`process\` sandbox (they see the ` +
      `host's files, processes and network). For the default \`namespace\` sandbox: ${INSTALL_HINT}`);
    return processBackend();
  }
  const { tools } = probe;
  const missing = (mode: NetworkMode) =>
    [mode !== 'host' && !tools.socat && 'socat', mode === 'isolated' && !tools.slirp4netns && 'slirp4netns'].filter(Boolean).join(' and ');
  let network = req.network ?? 'isolated';
  if (missing(network)) {
    if (req.network) throw new ConfigError(`--network ${network} needs ${missing(network)}: ${INSTALL_HINT}`);
    warn(`lambkin: warning: ${missing(network)} not installed: environments share the host's network (they can reach ` +
      `what listens on its loopback). For the default isolated network: ${INSTALL_HINT}`);
    network = 'host';
  }
  if (!seccompFilter()) {
    warn(`lambkin: warning: no seccomp filter on ${process.arch} (lambkin has syscall tables for x64 and arm64): ` +
      'environments reach the whole syscall surface, namespace creation included.');
  }
  if (network === 'isolated' && process.getuid?.() !== 0) {
    warn('lambkin: warning: not running as root: the egress policy (public by default: no private, link-local or host ' +
      'addresses) is not enforced (and functions deployed with --egress none do not start); environments reach ' +
      'whatever the host reaches except its loopback.');
  } else if (network === 'isolated' && (!tools.nft || !tools.nsenter)) {
    warn('lambkin: warning: nftables is not installed: the egress policy (public by default: no private, link-local ' +
      'or host addresses) is not enforced (and functions deployed with --egress none do not start). ' +
      'Install it: apt-get install -y nftables');
  }
  return {
    backend: new NamespaceBackend({ runDir: req.runDir, network, tools, cgroups }), network, cgroups,
    summary: `sandbox namespace (network ${network}, ${limits})`, close: async () => cgroups?.close(),
  };
}
