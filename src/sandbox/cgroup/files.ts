// Small helpers over cgroupfs files. Values read on every invocation (peak memory) are read
// through a file descriptor kept open: a pread at offset 0 regenerates the value, and it saves the
// open/close of a path lookup on the hot path.
import { closeSync, openSync, readFileSync, readSync, rmdirSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export class CgroupFile {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(4096);

  constructor(readonly path: string, private readonly writable = false) {}

  read(): string | undefined {
    try {
      this.fd ??= openSync(this.path, this.writable ? 'r+' : 'r');
      const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
      return this.buf.toString('latin1', 0, n);
    } catch {
      return undefined;
    }
  }

  write(value: string): boolean {
    try {
      this.fd ??= openSync(this.path, this.writable ? 'r+' : 'r');
      writeSync(this.fd, value, 0);
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Write a control file once (limits); throws with the path in the message. */
export function writeControl(path: string, value: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (err) {
    throw new Error(`cannot open ${path}: ${(err as Error).message}`);
  }
  try {
    writeSync(fd, value);
  } catch (err) {
    throw new Error(`cannot write ${value} to ${path}: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

export function pidsIn(procsFile: string): number[] {
  try {
    return readFileSync(procsFile, 'latin1').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * SIGKILL everything listed in `procsFile` until it is empty. A fork bomb may add processes
 * between two reads; pids.max bounds how many, and each round kills all there are. `thaw` runs
 * after each round's signals: a frozen process stays frozen with its SIGKILL pending (cgroup v1)
 * until thawed, and thawed after the signal it dies without running another instruction.
 */
export async function killAllIn(procsFile: string, thaw?: () => void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; Date.now() < deadline; round++) {
    const pids = pidsIn(procsFile);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    thaw?.();
    // Killed processes stay listed until reaped: give the kernel (and their parents) a moment.
    await sleep(round < 5 ? 2 : 20);
  }
}

/** rmdir, retried while the last processes are being reaped (EBUSY). */
export async function removeDir(path: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      rmdirSync(path);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() > deadline) throw err;
      await sleep(10);
    }
  }
}
