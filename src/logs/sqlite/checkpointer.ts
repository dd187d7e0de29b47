// Checkpoints of the log database (copying the WAL's pages back into logs.db, with an fsync) on
// a thread of their own, so that the server's event loop never does them: SQLite's default runs
// one inside whichever commit crosses 1,000 WAL pages. Measured with the writer's batches over
// 120,000 invocations: the main thread's commits cost 30 µs per invocation with checkpoints in
// them, 7 µs without. The thread has its own connection and checkpoints (PASSIVE: it never waits
// for the writer, nor makes it wait) every `everyMs`; if it cannot run, SQLite's own is put back.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { LogDatabase } from './schema.js';

// CommonJS, evaluated: no file of its own to find from src/ or dist/.
const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/** How long close() waits for the thread to let go of the file (it is never busy for long). */
const STOP_WAIT_MS = 5000;

export class Checkpointer {
  private readonly worker: Worker | undefined;
  private readonly exited: Promise<void> = Promise.resolve();

  constructor(private readonly db: LogDatabase, path: string, everyMs = 1000) {
    try {
      const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
      this.worker = new Worker(THREAD, { eval: true, workerData: { sqlite, path, everyMs } });
      this.worker.unref();
      const worker = this.worker;
      this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
      this.worker.on('error', () => this.fallBack());
      db.pragma('wal_autocheckpoint = 0');
    } catch {
      this.worker = undefined; // SQLite checkpoints inside commits, as by default
    }
  }

  /**
   * Stop the thread (it closes its connection as soon as it is not checkpointing); the caller
   * checkpoints what is left. Settles once the thread is gone: until then it may still create or
   * remove the database's -wal and -shm files (removing the folder meanwhile would fail).
   */
  stop(): Promise<void> {
    if (!this.worker) return this.exited;
    this.worker.postMessage('stop');
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, STOP_WAIT_MS);
      timer.unref();
      void this.exited.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private fallBack(): void {
    try {
      this.db.pragma('wal_autocheckpoint = 1000');
    } catch {
      // the database is closed: nothing to checkpoint any more
    }
  }
}
