// What of the host a sandbox sees, read-only: /usr, the /bin /sbin /lib* links or folders as the
// host has them, /etc minus its secrets, and the install prefix of an interpreter that lives
// elsewhere (python under /root/.pyenv, node under ~/.nvm) — that prefix only, never its parents'
// other contents. Worked out once per server (per interpreter), not per environment.
import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Folders a sandbox always gets read-only (from /usr) — an interpreter in them needs nothing more. */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** Files and folders of /etc never shown, whatever their mode says. */
const ETC_SECRETS = [
  'shadow', 'shadow-', 'gshadow', 'gshadow-', 'sudoers', 'sudoers.d', 'ssl/private', 'security/opasswd',
  'ssh/ssh_host_rsa_key', 'ssh/ssh_host_ecdsa_key', 'ssh/ssh_host_ed25519_key', 'ssh/ssh_host_dsa_key',
  'credstore', 'credstore.encrypted', 'machine-id', 'subuid', 'subgid',
];

/** bwrap arguments for the system folders: /usr, and /bin, /lib… as links into /usr or folders. */
export function systemArgs(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const dir of SYSTEM_DIRS.slice(1)) {
    let st: Stats;
    try {
      st = lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (st.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  return args;
}

/**
 * /etc entries to hide: the known secrets, and anything "others" may not read (a file without o+r,
 * a folder without o+rx) — the sandbox's user is an "other", so it could not read them anyway;
 * hiding them also hides that they exist. Files get an empty file on top, folders an empty folder.
 */
export function etcMasks(etc = '/etc', maxDepth = 4): { files: string[]; dirs: string[] } {
  const files = new Set<string>();
  const dirs = new Set<string>();
  const visit = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let st: Stats;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if ((st.mode & 0o005) !== 0o005) dirs.add(path);
        else if (depth < maxDepth) visit(path, depth + 1);
      } else if (st.isFile() && (st.mode & 0o004) === 0) {
        files.add(path);
      }
    }
  };
  visit(etc, 1);
  for (const rel of ETC_SECRETS) {
    const path = join(etc, rel);
    try {
      const st = lstatSync(path);
      if (st.isDirectory()) dirs.add(path);
      else if (st.isFile()) files.add(path);
    } catch {
      // not on this machine
    }
  }
  // A masked folder hides everything below it: no need to mask its contents too.
  const under = (p: string) => [...dirs].some((d) => p !== d && p.startsWith(d + '/'));
  return { files: [...files].filter((f) => !under(f)), dirs: [...dirs].filter((d) => !under(d)) };
}

const prefixes = new Map<string, string[]>();

/**
 * bwrap arguments that show an interpreter living outside the system folders: its install prefix
 * (the folder above its bin/) read-only at the same path, with the folders leading to it created
 * empty (mode 0755) — so /root/.pyenv/versions/3.11.7 is visible, the rest of /root is not.
 */
export function interpreterArgs(command: string): string[] {
  const cached = prefixes.get(command);
  if (cached) return cached;
  const found = new Set<string>();
  if (command.startsWith('/')) {
    let real = command;
    try {
      real = realpathSync(command);
    } catch {
      // missing: the spawn fails inside and says so
    }
    for (const p of [command, real]) {
      // Already visible: the system folders, and the sandbox's own (a custom runtime's /var/task/bootstrap).
      if ([...SYSTEM_DIRS, '/var/task', '/var/runtime'].some((d) => p === d || p.startsWith(d + '/'))) continue;
      const bin = dirname(p);
      const prefix = basename(bin) === 'bin' ? dirname(bin) : bin;
      if (prefix !== '/' && isDir(prefix)) found.add(prefix);
    }
  }
  const parents = new Set<string>();
  for (const prefix of found) for (let up = dirname(prefix); up !== '/'; up = dirname(up)) parents.add(up);
  const args: string[] = [];
  for (const dir of [...parents].sort()) args.push('--perms', '0755', '--dir', dir);
  for (const prefix of found) args.push('--ro-bind', prefix, prefix);
  prefixes.set(command, args);
  return args;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

