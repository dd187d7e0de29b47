// A small Debug Adapter Protocol client (what VS Code speaks to debugpy): Content-Length framed JSON
// over one TCP connection, requests answered by responses of the same seq, events in between.
import { connect, type Socket } from 'node:net';

type Message = {
  seq: number; type: 'request' | 'response' | 'event';
  command?: string; event?: string; request_seq?: number; success?: boolean; message?: string;
  body?: Record<string, unknown>;
};

export class DapSession {
  private seq = 1;
  private buffer = Buffer.alloc(0);
  private readonly waiting = new Map<number, (m: Message) => void>();
  private readonly events: Message[] = [];
  private readonly eventWaiters: { event: string; resolve: (m: Message) => void }[] = [];
  /** What was sent and received, with times: what a test prints when a step does not come. */
  readonly trace: string[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.note('socket closed');
      // Nothing more will come: every request still waiting fails now, saying so.
      for (const answer of this.waiting.values()) answer({ seq: 0, type: 'response', success: false, message: 'the connection closed' });
      this.waiting.clear();
    });
  }

  static connect(port: number): Promise<DapSession> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        resolve(new DapSession(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Send a request; resolves with its response's body (rejects when it did not succeed). */
  request(command: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const seq = this.seq++;
    const body = Buffer.from(JSON.stringify({ seq, type: 'request', command, arguments: args }));
    this.note(`→ ${seq} ${command}`);
    this.socket.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, (m) => (m.success ? resolve(m.body ?? {}) : reject(new Error(`${command}: ${m.message ?? 'failed'}`))));
    });
  }

  /** The next event named `name` (one already received counts). */
  event(name: string): Promise<Record<string, unknown>> {
    const i = this.events.findIndex((e) => e.event === name);
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0]!.body ?? {});
    return new Promise((resolve) => this.eventWaiters.push({ event: name, resolve: (m) => resolve(m.body ?? {}) }));
  }

  /** Whether an event named `name` has come and not been taken. */
  has(name: string): boolean {
    return this.events.some((e) => e.event === name);
  }

  close(): void {
    this.socket.destroy();
  }

  private note(line: string): void {
    this.trace.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (this.trace.length > 200) this.trace.splice(0, this.trace.length - 200);
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, end).toString('latin1'))?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const m = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.onMessage(m);
    }
  }

  private onMessage(m: Message): void {
    if (m.type === 'response') {
      this.note(`← ${m.request_seq} ${m.command}${m.success ? '' : ` failed: ${m.message}`}`);
      this.waiting.get(m.request_seq!)?.(m);
      this.waiting.delete(m.request_seq!);
      return;
    }
    if (m.type !== 'event') return; // a reverse request (runInTerminal): not used by attach
    this.note(`← ${m.event}${m.event === 'output' ? '' : ` ${JSON.stringify(m.body ?? {}).slice(0, 160)}`}`);
    const i = this.eventWaiters.findIndex((w) => w.event === m.event);
    if (i >= 0) this.eventWaiters.splice(i, 1)[0]!.resolve(m);
    else this.events.push(m);
  }
}
