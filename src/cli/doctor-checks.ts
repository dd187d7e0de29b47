// What `lambkin doctor` checks, asked of the very code `lambkin serve` asks at start: the
// namespace sandbox's probe (bubblewrap tried for real, socat, slirp4netns, setpriv, nft), the
// seccomp filter's syscall tables, the cgroup detection (a folder really created, then removed)
// and the runtime catalogue's description. The one place cli/ reaches sandbox/ and runtimes/
// (test/unit/layering.test.ts): like serve, doctor is about this machine, not about a server.
// Loaded at run time, as serve loads the server, so that the bundled CLI (scripts/build-cli.js)
// leaves these modules where they are.

export type CheckStatus = 'ok' | 'missing' | 'n/a' | 'optional';

export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found, or what is lost without it. */
  readonly detail: string;
  /** The Debian package(s) that provide it, when missing. */
  readonly install?: string;
}

/** The apt package named in a catalogue hint ("… apt-get install -y ruby"). */
const aptPackage = (hint: string | undefined) => /apt-get install -y ([\w.+ -]+?)(?:$|[),;:])/.exec(hint ?? '')?.[1]?.trim();

async function sandboxChecks(): Promise<Check[]> {
  const { probeBwrap, which } = await import('../sandbox/namespace/probe.js');
  const probe = probeBwrap();
  const tools = 'tools' in probe ? probe.tools : undefined;
  const checks: Check[] = [tools
    ? { name: 'bubblewrap', status: 'ok', detail: `${tools.bwrap} works: the namespace sandbox` }
    : { name: 'bubblewrap', status: 'missing', detail: `${'problem' in probe ? probe.problem : ''}: environments would run in the weaker process sandbox`, install: 'bubblewrap' }];
  if (process.getuid?.() === 0) {
    const setpriv = tools?.setpriv ?? which('setpriv');
    checks.push(setpriv
      ? { name: 'setpriv', status: 'ok', detail: `${setpriv} (as root, environments drop to their own uid)` }
      : { name: 'setpriv', status: 'missing', detail: 'as root, the namespace sandbox needs it to drop privileges', install: 'util-linux' });
  }
  const socat = tools ? tools.socat : which('socat');
  checks.push(socat
    ? { name: 'socat', status: 'ok', detail: socat }
    : { name: 'socat', status: 'missing', detail: 'without it (under /usr), environments share the host\'s network', install: 'socat' });
  const slirp = tools ? tools.slirp4netns : which('slirp4netns');
  checks.push(slirp
    ? { name: 'slirp4netns', status: 'ok', detail: `${slirp}: the isolated network` }
    : { name: 'slirp4netns', status: 'missing', detail: 'without it, no isolated network: environments share the host\'s', install: 'slirp4netns' });
  checks.push(await egressCheck(tools), await seccompCheck());
  return checks;
}

/** What serve's egress warnings are about: nft and nsenter (run as root) enforce the egress policy. */
async function egressCheck(tools: { nft?: string; nsenter?: string } | undefined): Promise<Check> {
  const { which } = await import('../sandbox/namespace/probe.js');
  const nft = tools ? tools.nft : which('nft');
  const nsenter = tools ? tools.nsenter : which('nsenter');
  if (!nft || !nsenter) {
    return { name: 'nftables', status: 'missing', detail: 'without it the egress policy (no private, link-local or host addresses) is not enforced', install: 'nftables' };
  }
  if (process.getuid?.() !== 0) {
    return { name: 'nftables', status: 'n/a', detail: `${nft}, but not running as root: the egress policy is not enforced` };
  }
  return { name: 'nftables', status: 'ok', detail: `${nft}: the egress policy` };
}

/** The syscall filter exists for x64 and arm64 only; elsewhere serve warns that there is none. */
async function seccompCheck(): Promise<Check> {
  const { seccompFilter } = await import('../sandbox/namespace/seccomp/index.js');
  return seccompFilter()
    ? { name: 'seccomp', status: 'ok', detail: `syscall filter for ${process.arch}` }
    : { name: 'seccomp', status: 'n/a', detail: `no syscall table for ${process.arch}: environments reach every syscall` };
}

async function cgroupCheck(): Promise<Check> {
  const { detectCgroups } = await import('../sandbox/cgroup/index.js');
  const found = detectCgroups();
  if ('problem' in found) {
    return {
      name: 'cgroups', status: 'missing',
      detail: `${found.problem}: no memory or process limits (run as root, or in a delegated cgroup)`,
    };
  }
  // detectCgroups made this process's folder: writable. Nothing of it is left behind.
  found.cgroups.close();
  return { name: 'cgroups', status: 'ok', detail: `v${found.cgroups.version}, writable (${found.cgroups.where.replace(/\/\d+$/, '')}): memory and process limits` };
}

async function runtimeChecks(): Promise<Check[]> {
  const [{ describeRuntimes }, { onPath }] = await Promise.all([import('../runtimes/describe.js'), import('../runtimes/binaries.js')]);
  const checks: Check[] = describeRuntimes().map((r) => {
    const name = r.name;
    if (r.status === 'installed') return { name, status: 'ok', detail: r.version ?? 'installed' };
    if (r.status === 'unavailable') {
      // Its first sentence; `lambkin runtimes` and CreateFunction give the whole reason.
      return { name, status: 'n/a', detail: (r.hint ?? 'unavailable').split('. ')[0]! };
    }
    const install = aptPackage(r.hint);
    return { name, status: 'missing', detail: r.hint ?? 'missing', ...(install ? { install } : {}) };
  });
  const go = onPath('go');
  checks.push(go
    ? { name: 'go (optional)', status: 'ok', detail: `${go}: builds Go bootstraps for provided.al2023` }
    : { name: 'go (optional)', status: 'optional', detail: 'builds Go bootstraps for provided.al2023 (examples/custom/hello-go): apt-get install -y golang-go' });
  return checks;
}

export async function runChecks(): Promise<Check[]> {
  return [...(await sandboxChecks()), await cgroupCheck(), ...(await runtimeChecks())];
}
