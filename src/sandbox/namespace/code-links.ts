// The code of a pre-started sandbox: its /var/task is an empty host folder bound in when the
// sandbox started, so the function's code can only arrive as files in that folder (a mount made
// later would not reach the sandbox's mount namespace). Hard links make that cost one link per
// file instead of a copy; the sandbox sees them read-only (--ro-bind), as it sees the code folder
// itself in a normal start. Across file systems (EXDEV) it copies.
import { copyFile, link, lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';

export async function linkTree(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) {
      await mkdir(dst, { mode: (await lstat(src)).mode & 0o7777 });
      await linkTree(src, dst);
    } else if (entry.isSymbolicLink()) {
      await symlink(await readlink(src), dst);
    } else if (entry.isFile()) {
      await link(src, dst).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EXDEV' && err.code !== 'EPERM') throw err;
        await copyFile(src, dst);
      });
    }
    // sockets, fifos, devices: a code package has none worth showing (extraction makes none)
  }
}
