// The code of a pre-started sandbox: its /var/task is an empty host folder bound in when the
// sandbox started, so the function's code can only arrive as files in that folder (a mount made
// later would not reach the sandbox's mount namespace). Hard links make that cost one link per
// file instead of a copy; the sandbox sees them read-only (--ro-bind), as it sees the code folder
// itself in a normal start. Across file systems (EXDEV) it copies.
//
// The calls are synchronous, in slices of SLICE: this is on the path of every pool hit, and each
// asynchronous call is a trip through libuv's thread pool and back through the event loop. In a
// burst of 8 pool hits the hand-overs queued there behind each other (19–33 ms to link one file
// under load, docs/performance.md); a slice of synchronous calls costs microseconds per file, and a
// large package still lets the server serve others between slices.
import { copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** File system calls made between two yields to the event loop. */
const SLICE = 256;

export async function linkTree(from: string, to: string): Promise<void> {
  let calls = 0;
  const pace = async () => {
    if (++calls % SLICE === 0) await new Promise((r) => setImmediate(r));
  };
  const walk = async (src0: string, dst0: string): Promise<void> => {
    for (const entry of readdirSync(src0, { withFileTypes: true })) {
      const src = join(src0, entry.name);
      const dst = join(dst0, entry.name);
      if (entry.isDirectory()) {
        mkdirSync(dst, { mode: lstatSync(src).mode & 0o7777 });
        await walk(src, dst);
      } else if (entry.isSymbolicLink()) {
        symlinkSync(readlinkSync(src), dst);
      } else if (entry.isFile()) {
        try {
          linkSync(src, dst);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'EXDEV' && code !== 'EPERM') throw err;
          copyFileSync(src, dst);
        }
      }
      // sockets, fifos, devices: a code package has none worth showing (extraction makes none)
      await pace();
    }
  };
  await walk(from, to);
}
