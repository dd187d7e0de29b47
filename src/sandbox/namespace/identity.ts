// Who an environment runs as: an unprivileged uid/gid of its own, not shared with any other live
// environment of this server, so that per-user kernel limits (inotify instances, keyrings, user
// namespaces, RLIMIT_NPROC) of one environment are not another's. No host account has these ids.
// The sandbox gets a /etc/passwd and /etc/group naming only root, nobody and itself (Lambda's
// `sbx_user1051` style), so that getpwuid() works and the host's accounts are not listed.

/** 10,000 ids per server; the server's pid picks the block so that two servers rarely overlap. */
const BLOCK = 10_000;
const BASE = 1_000_000 + (process.pid % 1000) * BLOCK;

const inUse = new Set<number>();
let cursor = 0;

export function allocateUid(): number {
  for (let i = 0; i < BLOCK; i++) {
    const slot = (cursor + i) % BLOCK;
    if (!inUse.has(slot)) {
      inUse.add(slot);
      cursor = slot + 1;
      return BASE + slot;
    }
  }
  throw new Error(`more than ${BLOCK} environments at once`);
}

export function releaseUid(uid: number): void {
  inUse.delete(uid - BASE);
}

export function passwdFile(uid: number): string {
  return [
    'root:x:0:0:root:/root:/usr/sbin/nologin',
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    `sbx_user${uid}:x:${uid}:${uid}::/tmp:/usr/sbin/nologin`,
    '',
  ].join('\n');
}

export function groupFile(uid: number): string {
  return ['root:x:0:', 'nogroup:x:65534:', `sbx_user${uid}:x:${uid}:`, ''].join('\n');
}
