// The extensions of one environment (Extensions API, 2020-01-01): who registered, for which
// events, and whether each is idle — has called event/next since the last event it was handed.
// The environment asks: is init over (every extension idle), is the invocation over (the same),
// and hands out INVOKE and SHUTDOWN. Everything here is bounded: at most MAX_EXTENSIONS, one
// pending poll each, one event in flight each.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Refusal } from '../runtime-api/host.js';
import { MAX_EXTENSIONS } from './listed.js';
import { shutdownEvent, UNKNOWN_EXTENSION } from './events.js';

export type ExtensionEvent = 'INVOKE' | 'SHUTDOWN';

interface Extension {
  readonly id: string;
  readonly name: string;
  readonly events: ReadonlySet<ExtensionEvent>;
  readonly external: boolean;
  /** Its pending event/next, answered with its next event. */
  poll?: ServerResponse;
  /** Has called next since its last event (a registered extension starts busy: its init). */
  idle: boolean;
  /**
   * An event sent while it was still busy with the previous one (SHUTDOWN while it finishes an
   * invocation whose caller has its answer): handed to its next call of next.
   */
  pending?: Buffer;
  gone: boolean;
}

export interface ExtensionsOwner {
  /** Something changed that may end init or an invocation. */
  changed(): void;
  /** An extension died or reported an error; `errorType` is what the invocation fails with. */
  failed(name: string, errorType: string, message: string): void;
}

export class Extensions {
  private readonly byId = new Map<string, Extension>();
  private readonly byName = new Map<string, Extension>();
  /** Registration is closed once the runtime has asked for its first event. */
  private open = true;
  private stopping = false;

  constructor(readonly external: readonly string[], private readonly owner: ExtensionsOwner) {}

  get count(): number {
    return this.byId.size;
  }

  get hasExternal(): boolean {
    return this.external.length > 0;
  }

  register(name: string, events: readonly ExtensionEvent[]): { id: string } | Refusal {
    if (!this.open) return { status: 403, errorType: 'Extension.InvalidState', errorMessage: 'Extensions may only register during init.' };
    if (this.byName.has(name)) return { status: 409, errorType: 'Extension.AlreadyRegistered', errorMessage: `An extension named ${name} is already registered.` };
    if (this.byId.size >= MAX_EXTENSIONS) return { status: 403, errorType: 'Extension.TooManyExtensions', errorMessage: `At most ${MAX_EXTENSIONS} extensions may register.` };
    const external = this.external.includes(name);
    if (!external && events.includes('SHUTDOWN')) {
      return { status: 400, errorType: 'Extension.InvalidEventType', errorMessage: 'Internal extensions may register only for INVOKE events (SHUTDOWN is for external ones, in /opt/extensions).' };
    }
    const ext: Extension = { id: randomUUID(), name, events: new Set(events), external, idle: false, gone: false };
    this.byId.set(ext.id, ext);
    this.byName.set(name, ext);
    return { id: ext.id };
  }

  /** Init is over: no more registrations. */
  close(): void {
    this.open = false;
  }

  known(id: string): boolean {
    return this.byId.has(id);
  }

  nameOf(id: string): string | undefined {
    return this.byId.get(id)?.name;
  }

  /** An extension's event/next: held until its next event. */
  next(id: string, res: ServerResponse): Refusal | undefined {
    const ext = this.byId.get(id);
    if (!ext) return UNKNOWN_EXTENSION;
    if (ext.poll && !ext.poll.writableEnded) ext.poll.destroy();
    const pending = ext.pending;
    if (pending) {
      ext.pending = undefined;
      writeEvent(res, pending);
      return undefined;
    }
    ext.poll = res;
    ext.idle = true;
    this.shutdownDone?.();
    // A poll whose connection closes before its event: the extension is gone (crashed or killed).
    res.once('close', () => {
      if (ext.poll === res && !res.writableEnded && !this.stopping) this.lost(ext, 'its connection to the Extensions API closed');
    });
    this.owner.changed();
    return undefined;
  }

  /** Every registered extension is idle, and every external one has registered. */
  allIdle(): boolean {
    for (const ext of this.byId.values()) if (!ext.idle && !ext.gone) return false;
    return this.external.every((name) => this.byName.has(name));
  }

  /** Hand INVOKE to each extension registered for it. */
  invoke(event: object): void {
    this.send('INVOKE', event);
  }

  /**
   * Hand SHUTDOWN to each extension registered for it; resolves once they are idle again (or
   * gone), or at Lambda's limit: 2 s with external extensions, 500 ms with internal ones only.
   */
  async shutdown(reason: 'spindown' | 'failure'): Promise<void> {
    const limitMs = this.hasExternal ? 2_000 : 500;
    if (this.send('SHUTDOWN', shutdownEvent(reason, Date.now() + limitMs)) === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        this.shutdownDone = () => {
          if (this.allIdle()) resolve();
        };
        this.shutdownDone();
      }),
      new Promise((resolve) => (timer = setTimeout(resolve, limitMs))),
    ]);
    clearTimeout(timer);
  }

  /** The sandbox's launcher says an external extension's process exited with `status`. */
  exited(name: string, status: number): void {
    if (this.stopping) return;
    const ext = this.byName.get(name);
    if (ext?.gone) return;
    if (ext) this.lost(ext, `exited with status ${status}`);
    else this.owner.failed(name, 'Extension.Crash', `Extension ${name} exited with status ${status} before registering.`);
  }

  /** The environment is going away: closing connections is expected now. */
  stop(): void {
    this.stopping = true;
    for (const ext of this.byId.values()) ext.poll?.destroy();
  }

  /** Lambda's EXTENSION line of each registered extension (at the end of init). */
  readyLines(): string[] {
    return [...this.byId.values()].map((e) => `EXTENSION\tName: ${e.name}\tState: Ready\tEvents: [${[...e.events].join(', ')}]`);
  }

  private shutdownDone: (() => void) | undefined;

  private send(type: ExtensionEvent, event: object): number {
    let sent = 0;
    const body = Buffer.from(JSON.stringify(event));
    for (const ext of this.byId.values()) {
      if (!ext.events.has(type) || ext.gone) continue;
      const res = ext.poll;
      ext.poll = undefined;
      ext.idle = false;
      sent++;
      if (!res) ext.pending = body;
      else if (!res.destroyed) writeEvent(res, body); // else its 'close' reported it lost
    }
    return sent;
  }

  private lost(ext: Extension, why: string): void {
    ext.gone = true;
    ext.idle = true;
    this.shutdownDone?.();
    this.owner.failed(ext.name, 'Extension.Crash', `Extension ${ext.name} ${why}.`);
  }
}

function writeEvent(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'lambda-extension-event-identifier': randomUUID() });
  res.end(body);
}
