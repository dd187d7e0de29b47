// Watches one folder (recursively, with fs.watch: inotify on Linux, no polling) and hands the
// changed files over in batches: a batch goes when no change came for `quietMs` (an editor's save
// is several events; a formatter or `git checkout` is many), and while one batch is being handled
// the next one gathers, so edits in quick succession make one redeploy, never overlapping ones.
import { watch, type FSWatcher } from 'node:fs';
import { sep } from 'node:path';

export type BatchHandler = (files: readonly string[]) => Promise<void>;

export const DEFAULT_QUIET_MS = 30;

export class FolderWatcher {
  private watcher: FSWatcher | undefined;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly ignored: (rel: string) => boolean,
    private readonly onBatch: BatchHandler,
    private readonly onError: (err: Error) => void,
    private readonly quietMs = DEFAULT_QUIET_MS,
  ) {}

  start(): void {
    this.watcher = watch(this.dir, { recursive: true }, (_event, name) => {
      if (name === null) return;
      const rel = String(name).split(sep).join('/');
      if (this.ignored(rel)) return;
      this.pending.add(rel);
      this.schedule();
    });
    this.watcher.on('error', (err) => this.onError(err));
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.quietMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (this.closed || this.busy || this.pending.size === 0) return; // the running batch reschedules when done
    const files = [...this.pending].sort();
    this.pending.clear();
    this.busy = true;
    try {
      await this.onBatch(files);
    } catch (err) {
      this.onError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.busy = false;
      if (this.pending.size > 0 && !this.closed) this.schedule();
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
  }
}
