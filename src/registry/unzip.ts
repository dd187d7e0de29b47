// Unpacking an uploaded zip safely. The package comes from the caller, so it is hostile until
// proven otherwise: no entry may land outside the target folder (absolute names and `..` are
// refused by yauzl's own name check, which we keep on), symlinks must stay inside once followed
// (symlinks.ts), device files are refused, and the unpacked size and entry count are capped at
// Lambda's limits *while streaming*: a zip bomb is cut off at the limit, never written whole.
// File modes are kept (a custom runtime's `bootstrap` must stay executable).
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, open, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ApiError, apiError } from '../errors.js';
import { unsafeLink } from './symlinks.js';

export interface UnzipLimits {
  /** Bytes unpacked in all (Lambda: 262,144,000). */
  readonly maxBytes: number;
  readonly maxEntries: number;
}

export const LAMBDA_LIMITS: UnzipLimits = { maxBytes: 262_144_000, maxEntries: 20_000 };

const UNZIP_FAILED = 'Could not unzip uploaded file. Please check your file, then try to upload again.';
const MAX_LINK_TARGET = 4096;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** fs errors that mean two entries collide (duplicates, a file used as a folder, …): the zip's fault. */
const CONFLICT_CODES = new Set(['EEXIST', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG', 'ELOOP', 'ENOTEMPTY']);

export function badZip(detail?: string): ApiError {
  return apiError('InvalidParameterValueException', detail ? `${UNZIP_FAILED} (${detail})` : UNZIP_FAILED);
}

function tooBig(limits: UnzipLimits): ApiError {
  return apiError('InvalidParameterValueException', `Unzipped size must be smaller than ${limits.maxBytes} bytes`);
}

/**
 * Unpack `zip` into `dest`, which must not exist yet (its parent must). Every file is fsynced, then
 * every folder, so that once this resolves the folder can be renamed into place durably.
 * Throws InvalidParameterValueException for a bad package; other errors (disk full, …) as they are.
 * On failure `dest` may hold a partial tree: the caller removes it.
 */
export async function unpackZip(zip: Buffer, dest: string, limits: UnzipLimits = LAMBDA_LIMITS): Promise<void> {
  let zipfile: ZipFile;
  try {
    zipfile = await yauzl.fromBufferPromise(zip, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: true, // also turns on yauzl's name check: absolute paths and `..` are errors
      validateEntrySizes: true, // a stream yielding more than its declared size is an error
      strictFileNames: false, // Windows zips with `\` separators are read as `/`
    });
  } catch (err) {
    throw asZipError(err);
  }
  try {
    if (zipfile.entryCount > limits.maxEntries) {
      throw badZip(`it has ${zipfile.entryCount} entries; at most ${limits.maxEntries} are allowed`);
    }
    await mkdir(dest, { mode: 0o755 });
    const unpacker = new Unpacker(dest, limits);
    const entries = readEntries(zipfile);
    for (let entry = await entries(); entry; entry = await entries()) await unpacker.add(zipfile, entry);
    await unpacker.finish();
  } catch (err) {
    throw asZipError(err);
  } finally {
    if (zipfile.isOpen) zipfile.close();
  }
}

/** One entry at a time (lazyEntries), so that extraction paces the reading. */
function readEntries(zipfile: ZipFile): () => Promise<Entry | undefined> {
  let failure: Error | undefined;
  let waiting: { resolve: (e: Entry | undefined) => void; reject: (e: Error) => void } | undefined;
  const settle = (fn: (w: NonNullable<typeof waiting>) => void) => {
    const w = waiting;
    waiting = undefined;
    if (w) fn(w);
  };
  zipfile.on('entry', (e: Entry) => settle((w) => w.resolve(e)));
  zipfile.on('end', () => settle((w) => w.resolve(undefined)));
  zipfile.on('error', (e: Error) => {
    failure = e;
    settle((w) => w.reject(e));
  });
  return () =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      waiting = { resolve, reject };
      zipfile.readEntry();
    });
}

class Unpacker {
  private declared = 0;
  private written = 0;
  /** Folders (relative paths) with the mode each gets once everything is written. */
  private readonly dirs = new Map<string, number>();
  private readonly files = new Set<string>();
  private readonly links = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly limits: UnzipLimits,
  ) {}

  async add(zipfile: ZipFile, entry: Entry): Promise<void> {
    if (entry.fileName.includes('\0')) throw badZip('an entry name contains a NUL byte');
    const path = entry.fileName.split('/').filter((p) => p !== '' && p !== '.').join('/');
    // The declared sizes are checked first (cheap: an honest bomb stops here); validateEntrySizes
    // and the byte counter below catch the ones that lie about their size.
    this.declared += entry.uncompressedSize;
    if (this.declared > this.limits.maxBytes) throw tooBig(this.limits);
    const unixMode = entry.externalFileAttributes >>> 16; // 0 when the zip was made on DOS/Windows
    const type = unixMode & S_IFMT;
    const isDir = type === S_IFDIR || (type === 0 && entry.fileName.endsWith('/'));
    if (path === '') {
      if (isDir) return;
      throw badZip('an entry has an empty name');
    }
    if (type === S_IFLNK) {
      await this.ensureDir(parentOf(path));
      if (this.links.has(path)) throw badZip(`'${path}' appears twice`);
      this.links.set(path, await this.readLinkTarget(zipfile, entry, path));
    } else if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
      throw badZip(`'${path}' is a device, socket or pipe`);
    } else if (isDir) {
      await this.ensureDir(path, unixMode === 0 ? 0o755 : (unixMode & 0o777) | 0o700);
    } else {
      await this.ensureDir(parentOf(path));
      await this.writeFile(zipfile, entry, path, unixMode === 0 ? 0o644 : (unixMode & 0o777) | 0o400);
    }
  }

  async finish(): Promise<void> {
    for (const path of this.links.keys()) {
      if (this.files.has(path) || this.dirs.has(path)) throw badZip(`'${path}' is both a symlink and a file or folder`);
    }
    const unsafe = unsafeLink(this.links);
    if (unsafe) throw badZip(unsafe);
    // Links are created last, so no file was ever written through one.
    for (const [path, target] of this.links) await symlink(target, join(this.root, path));
    // Deepest folders first, so a read-only folder never blocks work on its children.
    const dirs = [...this.dirs].sort((a, b) => b[0].length - a[0].length);
    for (const [path, mode] of dirs) await chmod(join(this.root, path), mode);
    for (const [path] of dirs) await fsyncPath(join(this.root, path));
    await fsyncPath(this.root);
  }

  private async ensureDir(path: string, mode?: number): Promise<void> {
    if (path === '') return;
    if (this.files.has(path)) throw badZip(`'${path}' is both a file and a folder`);
    const known = this.dirs.get(path);
    if (known === undefined) {
      await this.ensureDir(parentOf(path));
      await mkdir(join(this.root, path), { mode: 0o700 });
    }
    this.dirs.set(path, mode ?? known ?? 0o755);
  }

  private async writeFile(zipfile: ZipFile, entry: Entry, path: string, mode: number): Promise<void> {
    if (this.dirs.has(path) || this.files.has(path)) throw badZip(`'${path}' appears twice`);
    this.files.add(path);
    const target = join(this.root, path);
    const source = await zipfile.openReadStreamPromise(entry);
    // 'wx': never overwrite, never follow a link; flush: fsync before close.
    await pipeline(source, this.counter(), createWriteStream(target, { flags: 'wx', mode: 0o600, flush: true }));
    await chmod(target, mode);
  }

  private async readLinkTarget(zipfile: ZipFile, entry: Entry, path: string): Promise<string> {
    if (entry.uncompressedSize > MAX_LINK_TARGET) throw badZip(`symlink '${path}' has an over-long target`);
    const chunks: Buffer[] = [];
    await pipeline(await zipfile.openReadStreamPromise(entry), this.counter(), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) chunks.push(chunk);
    });
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Counts the bytes actually inflated, and stops the stream at the limit. */
  private counter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.written += chunk.length;
        if (this.written > this.limits.maxBytes) callback(tooBig(this.limits));
        else callback(null, chunk);
      },
    });
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** ApiErrors pass; format errors (yauzl, zlib) and entry collisions become a bad-zip error; the
 *  rest (ENOSPC, EIO, EACCES: the server's trouble, not the caller's) is rethrown as is. */
function asZipError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  if (!(err instanceof Error)) return err;
  const { code, syscall } = err as NodeJS.ErrnoException;
  if (syscall !== undefined) {
    return typeof code === 'string' && CONFLICT_CODES.has(code) ? badZip('entries collide with each other') : err;
  }
  return badZip(err.message);
}
