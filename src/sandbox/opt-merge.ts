// Layers merged into one folder, shown at /opt: each layer's files in the function's order, a
// later layer's file replacing an earlier one's. The result depends only on the layers' content
// hashes (their folders never change), so one merge per ordered list serves every environment of
// every function using that list, until the server stops (the run folder is removed then).
// `link`: hard links (the namespace backend shows the folder read-only); otherwise a copy (the
// process backend's runtime runs as the server's user and could write through a link into the
// code store).
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, link as hardLink, lstat, mkdir, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

const building = new Map<string, Promise<string>>();

export function mergedOpt(cacheRoot: string, layerDirs: readonly string[], link: boolean): Promise<string> {
  const key = createHash('sha256').update(layerDirs.map((d) => basename(d)).join('\0')).digest('hex').slice(0, 32);
  const target = join(cacheRoot, key);
  if (existsSync(target)) return Promise.resolve(target);
  let pending = building.get(target);
  if (!pending) {
    pending = build(cacheRoot, target, layerDirs, link).finally(() => building.delete(target));
    building.set(target, pending);
  }
  return pending;
}

async function build(cacheRoot: string, target: string, layerDirs: readonly string[], link: boolean): Promise<string> {
  await mkdir(cacheRoot, { recursive: true, mode: 0o755 });
  const tmp = join(cacheRoot, `.tmp-${randomUUID()}`);
  await mkdir(tmp, { mode: 0o755 });
  try {
    for (const dir of layerDirs) await overlay(dir, tmp, link);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (!existsSync(target)) throw err;
  }
  return target;
}

/** Put `from`'s tree over `to`'s: files replace files, folders merge. */
async function overlay(from: string, to: string, link: boolean): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    const existing = await lstat(dst).catch(() => undefined);
    if (entry.isDirectory()) {
      if (existing && !existing.isDirectory()) await rm(dst, { force: true });
      if (!existing?.isDirectory()) await mkdir(dst, { mode: (await lstat(src)).mode & 0o7777 });
      await overlay(src, dst, link);
      continue;
    }
    if (existing) await rm(dst, { recursive: true, force: true });
    if (entry.isSymbolicLink()) await symlink(await readlink(src), dst);
    else if (entry.isFile()) {
      if (!link) await copyFile(src, dst);
      else {
        await hardLink(src, dst).catch(async (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EXDEV' && err.code !== 'EPERM') throw err;
          await copyFile(src, dst);
        });
      }
    }
  }
}
