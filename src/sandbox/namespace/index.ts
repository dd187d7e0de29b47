// The `namespace` backend: each environment in a bubblewrap sandbox (bwrap-args.ts says what it
// sees), as its own unprivileged uid, in its own cgroup, with its own network (network.ts).
// The host side of an environment is a folder under the server's run dir holding its passwd and
// group files, and a run/ folder (shown at /run/lambkin) with the Runtime API socket and the
// environment file; all of it is removed when the environment ends.
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import type { LaunchSpec, SandboxBackend, SandboxLayout, SandboxLimits, SandboxProcess } from '../types.js';
import type { Cgroups, EnvCgroup } from '../cgroup/index.js';
import { launcher, spawnChild, wrapChild } from '../child.js';
import { BOOTSTRAP_ROOT } from '../../bootstrap-root.js';
import { baseArgs, envArgs, OPT_DIR, RUNTIME_DIR, TASK_ROOT } from './bwrap-args.js';
import { allocateUid, groupFile, passwdFile, releaseUid } from './identity.js';
import { envScript, EXTENSION_EXITS_FD, EXTENSION_OUTPUT_FD, INNER_RUN_DIR, RUNTIME_API_PORT, startSlirp, type NetworkMode, type Slirp } from './network.js';
import { linkTree } from './code-links.js';
import { mergedOpt } from '../opt-merge.js';
import type { Tools } from './probe.js';
import { seccompFilter } from './seccomp/index.js';
import { connectInside, sandboxHostsFile } from './inside.js';
import { DEFAULT_EGRESS, type EgressPolicy } from '../../egress.js';
import { applyEgress, samePolicy } from './egress.js';

const ALL: EgressPolicy = { mode: 'all', allow: [] };

export interface NamespaceOptions {
  readonly runDir: string;
  readonly network: NetworkMode;
  readonly tools: Tools;
  readonly cgroups?: Cgroups;
}

interface EnvState {
  readonly uid: number;
  readonly codeDir: string;
  /** The merged layers (host folder) shown read-only at /opt. */
  readonly optDir?: string;
  readonly tmpBytes: number;
  /** The workDir, or a short folder in the temp dir holding runDir. */
  readonly hostRoot: string;
  /** Host folder shown at /run/lambkin (socket, env file). */
  readonly runDir: string;
  readonly socket?: string;
  readonly cgroup?: EnvCgroup;
  /** Where its packets may go; a pre-started sandbox gets its function's at claim (resize). */
  egress: EgressPolicy;
  /** The sandbox's pid once bwrap told it (isolated network): its namespace takes the egress filter. */
  pid?: number;
  /** The egress filter's updates, in order; the policy its table holds (none yet: `all`). */
  rules: Promise<void>;
  installed?: EgressPolicy;
}

/** Unix sockets paths are limited to 107 bytes; a deep data dir falls back to the system temp dir. */
const MAX_SOCKET_PATH = 100;

export class NamespaceBackend implements SandboxBackend {
  readonly name = 'namespace';
  readonly enforcesMemory: boolean;
  readonly runsExtensions = true;
  private readonly base: string[];
  /** The seccomp program (seccomp/index.ts), opened for bwrap at each start; none on other architectures. */
  private readonly seccompFile?: string;
  private readonly root = process.getuid?.() === 0;
  private readonly envs = new WeakMap<SandboxLayout, EnvState>();

  constructor(private readonly opts: NamespaceOptions) {
    this.enforcesMemory = opts.cgroups !== undefined;
    if (opts.network !== 'host' && !opts.tools.socat) throw new Error('socat is needed for --network ' + opts.network);
    if (opts.network === 'isolated' && !opts.tools.slirp4netns) throw new Error('slirp4netns is needed for --network isolated');
    const shared = join(opts.runDir, 'sandbox');
    const emptyDir = join(shared, 'empty-dir');
    mkdirSync(emptyDir, { recursive: true, mode: 0o755 });
    chmodSync(shared, 0o755);
    const emptyFile = join(shared, 'empty');
    writeFileSync(emptyFile, '', { mode: 0o444 });
    let resolvConf: string | undefined;
    // Names are resolved through slirp's DNS forwarder (which asks the host's resolver): a resolver
    // on the host's loopback is out of reach, and one on a private address is refused by the
    // default egress policy (egress.ts).
    if (opts.network === 'isolated') {
      resolvConf = join(shared, 'resolv.conf');
      writeFileSync(resolvConf, 'nameserver 10.0.2.3\n', { mode: 0o444 });
    }
    const filter = seccompFilter();
    if (filter) {
      this.seccompFile = join(shared, 'seccomp.bpf');
      writeFileSync(this.seccompFile, filter, { mode: 0o400 });
    }
    const hosts = sandboxHostsFile(shared);
    this.base = baseArgs({ network: opts.network, root: this.root, emptyFile, emptyDir, resolvConf, hosts });
  }

  async prepare(envId: string, code: string | undefined, limits: SandboxLimits, layerDirs: readonly string[] = []): Promise<SandboxLayout> {
    const workDir = join(this.opts.runDir, envId);
    // The folder shown at /run/lambkin sits in a 0700 folder of the server's: host users cannot reach
    // the socket in it. A deep data dir moves it to the temp dir (socket paths are short).
    const hostRoot = join(workDir, 'run').length + 20 < MAX_SOCKET_PATH ? workDir : join(tmpdir(), `lambkin-${envId}`);
    const runDir = join(hostRoot, 'run');
    await mkdir(workDir, { recursive: true, mode: 0o700 });
    await mkdir(hostRoot, { recursive: true, mode: 0o700 });
    await mkdir(runDir, { mode: 0o755 });
    // No code yet (a pre-started sandbox): an empty folder of its own is shown at /var/task.
    const codeDir = code ?? join(workDir, 'task');
    if (!code) await mkdir(codeDir, { mode: 0o755 });
    // Layers: their merged folder. A pre-started sandbox (no code yet) gets an empty /opt of its
    // own, which fillOpt() fills if its function has layers (a mount made later would not show).
    let optDir = layerDirs.length > 0 ? await mergedOpt(join(this.opts.runDir, 'opt'), layerDirs, true) : undefined;
    if (!code) {
      optDir = join(workDir, 'opt');
      await mkdir(optDir, { mode: 0o755 });
    }
    const uid = this.root ? allocateUid() : process.getuid!();
    const ownNet = this.opts.network !== 'host';
    const socket = ownNet ? join(runDir, 'runtime-api.sock') : undefined;
    const layout: SandboxLayout = {
      workDir,
      taskRoot: TASK_ROOT,
      hostTaskRoot: codeDir,
      runtimeDir: RUNTIME_DIR,
      tmpDir: '/tmp',
      optDir: optDir && OPT_DIR,
      listen: socket ? { path: socket } : { host: '127.0.0.1', port: 0 },
      runtimeApiAddress: (bound) =>
        ownNet ? `127.0.0.1:${RUNTIME_API_PORT}` : typeof bound === 'string' ? bound : `${bound.address}:${bound.port}`,
      runtimeApiSocket: ownNet ? `${INNER_RUN_DIR}/runtime-api.sock` : undefined,
      debugSocket: ownNet ? join(runDir, 'debug', 'debug.sock') : undefined,
    };
    let cgroup: EnvCgroup | undefined;
    try {
      await writeFile(join(workDir, 'passwd'), passwdFile(uid), { mode: 0o444 });
      await writeFile(join(workDir, 'group'), groupFile(uid), { mode: 0o444 });
      cgroup = await this.opts.cgroups?.create(envId, limits);
    } catch (err) {
      if (this.root) releaseUid(uid);
      throw err;
    }
    this.envs.set(layout, {
      uid, codeDir, optDir, tmpBytes: limits.tmpMb * 1024 * 1024, hostRoot, runDir, socket, cgroup,
      egress: limits.egress ?? DEFAULT_EGRESS, rules: Promise.resolve(),
    });
    return layout;
  }

  start(layout: SandboxLayout, spec: LaunchSpec): SandboxProcess {
    const env = this.envs.get(layout);
    if (!env) throw new Error('start() of a layout this backend did not prepare');
    const { tools, network } = this.opts;
    // The server listens on the socket by now (unless pre-started: listening() then does this).
    if (env.socket && existsSync(env.socket)) chmodSync(env.socket, 0o666);
    const envFile = join(env.runDir, 'env');
    writeFileSync(envFile, envScript(spec.env), { mode: 0o400 });
    if (this.root) chownSync(envFile, env.uid, env.uid);
    // A debug environment's relay makes its socket here, as the sandbox's user.
    const debugDir = spec.debugPort !== undefined && layout.debugSocket ? join(env.runDir, 'debug') : undefined;
    if (debugDir) {
      mkdirSync(debugDir, { mode: 0o700 });
      if (this.root) chownSync(debugDir, env.uid, env.uid);
    }
    const slirpNeeded = network === 'isolated';
    const args = envArgs(this.base, {
      uid: env.uid, tmpBytes: env.tmpBytes, codeDir: env.codeDir, optDir: env.optDir, bootstrapRoot: BOOTSTRAP_ROOT, runDir: env.runDir,
      passwd: join(layout.workDir, 'passwd'), group: join(layout.workDir, 'group'),
      setpriv: this.root ? tools.setpriv : undefined, socat: network === 'host' ? undefined : tools.socat,
      egress: slirpNeeded, debugPort: spec.debugPort, debugDir, seccomp: this.seccompFile !== undefined, command: spec.command, args: spec.args,
    });
    const run = launcher(env.cgroup?.procsFiles ?? [], tools.bwrap, args);
    // bwrap reads the filter from fd 6 (SECCOMP_FD); the server's copy of the fd closes once spawned.
    const seccompFd = this.seccompFile ? openSync(this.seccompFile, 'r') : undefined;
    let child;
    try {
      child = spawnChild('the sandbox', run.command, run.args, {
        cwd: '/',
        // Nothing of the function's environment reaches a process running as root: bwrap --clearenv,
        // and the init script loads it after setpriv.
        env: { PATH: '/usr/bin:/bin' },
        stdio: [
          spec.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe',
          ...(slirpNeeded ? ['pipe', 'pipe'] as const : ['ignore', 'ignore'] as const),
          seccompFd ?? 'ignore',
          'pipe', 'pipe', // EXTENSION_EXITS_FD, EXTENSION_OUTPUT_FD
        ],
        detached: true,
      });
    } finally {
      if (seccompFd !== undefined) closeSync(seccompFd);
    }
    const stderr = new PassThrough();
    child.stderr!.pipe(stderr);
    let slirp: Slirp | undefined;
    if (slirpNeeded) {
      const stdio = child.stdio as unknown as [unknown, unknown, unknown, unknown, Readable, Duplex];
      void this.connectNetwork(env, stdio[4], stdio[5], (s) => (slirp = s)).catch((err: Error) => {
        if (!stderr.writableEnded) stderr.write(`lambkin: the environment's network could not be set up: ${err.message}\n`);
        stdio[5].end('fail\n');
      });
    }
    const sandbox = wrapChild(child, { cgroup: env.cgroup, signalFromCode: true, stderr, onEnd: () => slirp?.kill() });
    const exits = (child.stdio as unknown as Readable[])[EXTENSION_EXITS_FD]!;
    const output = (child.stdio as unknown as Readable[])[EXTENSION_OUTPUT_FD]!;
    exits.on('error', () => undefined);
    output.on('error', () => undefined);
    return { ...sandbox, extensionExits: exits, extensionOutput: output };
  }

  connectInside(layout: SandboxLayout, port: number): Duplex {
    const env = this.envs.get(layout);
    if (!env) throw new Error('connectInside() of a layout this backend did not prepare');
    const { nsenter, socat } = this.opts.tools;
    return connectInside({ network: this.opts.network, root: this.root, nsenter, socat, pid: env.pid }, port);
  }

  async fillCode(layout: SandboxLayout, codeDir: string): Promise<void> {
    await linkTree(codeDir, layout.hostTaskRoot);
  }

  async fillOpt(layout: SandboxLayout, layerDirs: readonly string[]): Promise<void> {
    const slot = this.envs.get(layout)?.optDir;
    if (!slot) throw new Error('fillOpt() of a layout prepared with code');
    await linkTree(await mergedOpt(join(this.opts.runDir, 'opt'), layerDirs, true), slot);
  }

  async resize(layout: SandboxLayout, limits: SandboxLimits): Promise<void> {
    const env = this.envs.get(layout);
    env?.cgroup?.setLimits(limits);
    if (!env || this.opts.network !== 'isolated') return;
    env.egress = limits.egress ?? DEFAULT_EGRESS;
    // Not yet attached: connectNetwork() sets the policy now current before the runtime runs.
    if (env.pid !== undefined) await this.setEgress(env, env.pid);
  }

  /** The sandbox's uid must be able to connect to the Runtime API socket. */
  listening(layout: SandboxLayout): void {
    const socket = this.envs.get(layout)?.socket;
    if (socket) chmodSync(socket, 0o666);
  }

  async cleanup(layout: SandboxLayout): Promise<void> {
    const env = this.envs.get(layout);
    await env?.cgroup?.remove().catch(() => undefined);
    await rm(layout.workDir, { recursive: true, force: true });
    if (env && env.hostRoot !== layout.workDir) await rm(env.hostRoot, { recursive: true, force: true });
    if (env && this.root) releaseUid(env.uid);
    this.envs.delete(layout);
  }

  /** bwrap tells the sandbox's pid (info fd); the init script says when to attach slirp (fd 5). */
  private async connectNetwork(env: EnvState, info: Readable, talk: Duplex, onSlirp: (s: Slirp) => void): Promise<void> {
    talk.on('error', () => undefined);
    const asked = new Promise<void>((resolve, reject) => {
      talk.once('data', () => resolve());
      talk.once('end', () => reject(new Error('the sandbox ended before asking for its network')));
    });
    // Awaited below only once the pid is known: if that fails first (the sandbox was killed while
    // starting, e.g. a pre-started one at shutdown), this rejection must not go unhandled — an
    // unhandled rejection ends the whole server.
    asked.catch(() => undefined);
    const pid = await sandboxPid(info);
    // The egress filter goes into the namespace while bwrap finishes and slirp starts (it is ~10 ms
    // of nft): the runtime runs only once both are done.
    env.pid = pid;
    const filtered = this.setEgress(env, pid);
    filtered.catch(() => undefined); // awaited below, after slirp: must not go unhandled meanwhile
    await asked;
    const slirp = startSlirp(this.opts.tools.slirp4netns!, pid);
    onSlirp(slirp);
    await slirp.ready;
    await filtered;
    talk.end('ok\n');
  }

  /** Install the environment's current egress policy, after any update still under way. */
  private setEgress(env: EnvState, pid: number): Promise<void> {
    const { nft, nsenter } = this.opts.tools;
    const next = env.rules.catch(() => undefined).then(async () => {
      const policy = env.egress;
      // Already in place (a pre-started sandbox claimed by a function with the default policy), or
      // `all` on a sandbox without a filter: nothing to do.
      if (samePolicy(policy, env.installed ?? ALL)) return;
      // No filter possible (not root: the namespace belongs to a user namespace bwrap nests and
      // nsenter cannot name; or no nft): the default degrades, as the server said once at start
      // (select.ts); an explicit `none` is refused rather than silently not enforced.
      if (!this.root || !nft || !nsenter) {
        if (policy.mode !== 'none') return;
        throw new Error(`egress 'none' cannot be enforced here (${!this.root ? 'the server is not root' : 'nft is not installed: apt-get install -y nftables'})`);
      }
      await applyEgress({ nft, nsenter }, pid, policy);
      env.installed = policy;
    });
    env.rules = next;
    return next;
  }
}

function sandboxPid(info: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = () => {
      const m = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`bwrap did not report the sandbox's pid (${text.trim() || 'nothing'})`));
    };
    info.on('data', (c: Buffer) => {
      text += c.toString();
      if (/"child-pid"\s*:\s*\d+[,\s}]/.test(text)) {
        info.removeAllListeners('end');
        done();
      }
    });
    info.once('end', done);
    info.once('error', reject);
  });
}
