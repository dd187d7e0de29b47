// A long-lived syntax checker process: started once per language when `lambkin dev` starts, then
// asked over stdin/stdout (one JSON line each way), so that a save pays for a compile (~1 ms), not
// for an interpreter's start (tens of ms idle, hundreds on a loaded machine). If it dies or hangs,
// the request is answered "unchecked" and the next one starts a new process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const TIMEOUT_MS = 5_000;

export interface CheckAnswer {
  /** The error text; undefined when every file compiles. */
  readonly error?: string;
  /** The checker could not run (missing interpreter, died, timed out). */
  readonly unchecked?: string;
}

interface Waiting {
  readonly resolve: (a: CheckAnswer) => void;
  readonly timer: NodeJS.Timeout;
}

export class CheckerProcess {
  private proc: ChildProcess | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;

  constructor(private readonly command: string, private readonly args: readonly string[]) {}

  /** Starts the process now (so the first save does not wait for it). */
  warm(): void {
    this.ensure();
  }

  private ensure(): ChildProcess {
    if (this.proc && this.proc.exitCode === null && !this.proc.killed) return this.proc;
    const proc = spawn(this.command, this.args, { stdio: ['pipe', 'pipe', 'ignore'] });
    this.proc = proc;
    proc.on('error', (err) => this.failAll(proc, `${this.command}: ${err.message}`));
    proc.once('exit', () => this.failAll(proc, `${this.command} exited`));
    proc.stdin!.on('error', () => undefined); // EPIPE after a crash: reported through 'exit'
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      let msg: { id?: number; error?: string | null };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        return;
      }
      const w = msg.id === undefined ? undefined : this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id!);
      clearTimeout(w.timer);
      w.resolve(msg.error ? { error: msg.error } : {});
    });
    proc.unref();
    (proc.stdout as unknown as { unref?: () => void }).unref?.();
    return proc;
  }

  private failAll(proc: ChildProcess, why: string): void {
    if (this.proc === proc) this.proc = undefined;
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.resolve({ unchecked: why });
      this.waiting.delete(id);
    }
  }

  check(files: readonly string[]): Promise<CheckAnswer> {
    const proc = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        proc.kill('SIGKILL');
        resolve({ unchecked: `${this.command} did not answer within ${TIMEOUT_MS / 1000} s` });
      }, TIMEOUT_MS);
      this.waiting.set(id, { resolve, timer });
      proc.stdin!.write(`${JSON.stringify({ id, files })}\n`);
    });
  }

  close(): void {
    this.proc?.kill('SIGTERM');
    this.proc = undefined;
  }
}
