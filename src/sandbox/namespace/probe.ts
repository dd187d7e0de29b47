// Can this machine run the namespace backend? Finds bwrap (and socat, slirp4netns, setpriv) on the
// PATH and tries one real sandbox, once per server start (~5 ms). The answer says what is missing
// and how to install it.
import { execFileSync } from 'node:child_process';
import { findExecutable } from '../../executables.js';

export interface Tools {
  readonly bwrap: string;
  /** Needed when the server runs as root, to drop to the environment's uid. */
  readonly setpriv?: string;
  /** The Runtime API forwarder of `isolated` and `none`; must live under /usr to be seen inside. */
  readonly socat?: string;
  readonly slirp4netns?: string;
  /** The egress filter (egress.ts): nft run in the sandbox's network namespace through nsenter. */
  readonly nft?: string;
  readonly nsenter?: string;
}

export type BwrapProbe = { readonly tools: Tools } | { readonly problem: string };

export const INSTALL_HINT = 'apt-get install -y bubblewrap socat slirp4netns nftables';

/** A tool the sandbox uses: on PATH or in the system folders (nft, setpriv live in sbin). */
export function which(name: string, path?: string): string | undefined {
  return findExecutable(name, { path, systemDirs: true });
}

export function probeBwrap(): BwrapProbe {
  const bwrap = which('bwrap');
  if (!bwrap) return { problem: 'bwrap (bubblewrap) is not installed' };
  const root = process.getuid?.() === 0;
  const setpriv = which('setpriv');
  if (root && !setpriv) return { problem: 'setpriv (util-linux) is not installed' };
  try {
    execFileSync(bwrap, [
      ...(root ? [] : ['--unshare-user']),
      '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net', '--die-with-parent',
      '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--', '/bin/true',
    ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000, env: {} });
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    return { problem: `bwrap does not work here: ${detail}` };
  }
  const underUsr = (p: string | undefined) => (p && (p.startsWith('/usr/') || p.startsWith('/bin/')) ? p : undefined);
  return { tools: { bwrap, setpriv, socat: underUsr(which('socat')), slirp4netns: which('slirp4netns'),
    nft: which('nft'), nsenter: which('nsenter') } };
}
