// The local code store (the default, beside SQLite): every uploaded zip, content-addressed by its
// sha256, kept as `<root>/<hex>.zip` and unpacked once to `<root>/<hex>/`. The PostgreSQL code
// store uses it as its cache on each machine. Writes are crash-safe: everything is
// written under a `.tmp-` name, fsynced, then renamed into place (rename is atomic), and the
// folder holding them is fsynced. A kill at any moment leaves either nothing or a complete copy,
// plus perhaps a `.tmp-` leftover that the next open removes. Which hashes are *in use* is the
// database's business (and the running environments'): the store only removes what it is told is
// unreferenced — at open (collect) and while running (discard), as soon as code is replaced.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CodeStore, StoredCode } from '../code-store.js';
import { unpackZip, type UnzipLimits, LAMBDA_LIMITS } from '../unzip.js';

const TMP_PREFIX = '.tmp-';
const HEX = /^[0-9a-f]{64}$/;

export class LocalCodeStore implements CodeStore {
  /** Puts under way, by hash: two uploads of the same zip share one unpack. */
  private readonly pending = new Map<string, Promise<StoredCode>>();

  constructor(
    readonly root: string,
    private readonly limits: UnzipLimits = LAMBDA_LIMITS,
  ) {
    mkdirSync(root, { recursive: true });
  }

  get where(): string {
    return this.root;
  }

  zipPath(sha256: string): string {
    return join(this.root, `${sha256}.zip`);
  }

  dirPath(sha256: string): string {
    return join(this.root, sha256);
  }

  /** Store and unpack `zip` (validating it); resolves once both are durably in place. */
  put(zip: Buffer): Promise<StoredCode> {
    const sha256 = createHash('sha256').update(zip).digest('hex');
    const stored: StoredCode = { sha256, size: zip.length, dir: this.dirPath(sha256) };
    if (existsSync(stored.dir) && existsSync(this.zipPath(sha256))) return Promise.resolve(stored);
    let put = this.pending.get(sha256);
    if (!put) {
      put = this.write(zip, sha256).then(() => stored);
      this.pending.set(sha256, put);
      void put.then(
        () => this.pending.delete(sha256),
        () => this.pending.delete(sha256),
      );
    }
    return put;
  }

  /** Validate `zip` as put() would (by unpacking it aside), storing nothing. */
  async check(zip: Buffer): Promise<void> {
    const tmp = this.tmpPath();
    try {
      await unpackZip(zip, tmp, this.limits);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async zip(sha256: string): Promise<Buffer | undefined> {
    return readFile(this.zipPath(sha256)).catch(() => undefined);
  }

  /** Unpack a stored zip again when its folder is missing (e.g. lost in a power cut). */
  async ensureLocal(sha256: string): Promise<boolean> {
    if (existsSync(this.dirPath(sha256))) return true;
    const handle = await open(this.zipPath(sha256), 'r').catch(() => undefined);
    if (!handle) return false;
    const zip = await handle.readFile().finally(() => handle.close());
    if (createHash('sha256').update(zip).digest('hex') !== sha256) return false;
    await this.put(zip);
    return true;
  }

  /** Remove `.tmp-` leftovers and every zip or folder whose hash is not in `keep` (at open). */
  async collect(keep: ReadonlySet<string>): Promise<void> {
    this.collectSync(keep);
  }

  private collectSync(keep: ReadonlySet<string>): void {
    for (const name of readdirSync(this.root)) {
      const hash = name.endsWith('.zip') ? name.slice(0, -4) : name;
      const leftover = name.startsWith(TMP_PREFIX);
      if (leftover || (HEX.test(hash) && !keep.has(hash) && !this.pending.has(hash))) {
        rmSync(join(this.root, name), { recursive: true, force: true });
      }
    }
  }

  /**
   * While running: remove every zip and folder whose hash is not in `keep` and not being put. Each
   * is first renamed to a `.tmp-` name (atomic: a put() of the same content after this sees it
   * gone and writes it again), then deleted in the background; a leftover goes at the next open.
   * Answers the hashes removed.
   */
  discard(keep: ReadonlySet<string>): string[] {
    const removed = new Set<string>();
    for (const name of readdirSync(this.root)) {
      const hash = name.endsWith('.zip') ? name.slice(0, -4) : name;
      if (!HEX.test(hash) || keep.has(hash) || this.pending.has(hash)) continue;
      const doomed = this.tmpPath();
      try {
        renameSync(join(this.root, name), doomed);
      } catch {
        continue; // gone already
      }
      removed.add(hash);
      void rm(doomed, { recursive: true, force: true }).catch(() => undefined);
    }
    return [...removed];
  }

  private async write(zip: Buffer, sha256: string): Promise<void> {
    const tmpDir = this.tmpPath();
    const tmpZip = `${this.tmpPath()}.zip`;
    try {
      await unpackZip(zip, tmpDir, this.limits); // validates; fsyncs every file and folder
      await writeDurably(tmpZip, zip);
      await rename(tmpZip, this.zipPath(sha256));
      try {
        await rename(tmpDir, this.dirPath(sha256));
      } catch (err) {
        // Another process (or an earlier run) put the same content meanwhile: theirs is as good.
        if (!existsSync(this.dirPath(sha256))) throw err;
      }
      await fsyncDir(this.root);
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
      await rm(tmpZip, { force: true });
    }
  }

  private tmpPath(): string {
    return join(this.root, `${TMP_PREFIX}${randomUUID()}`);
  }
}

async function writeDurably(path: string, data: Buffer): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
