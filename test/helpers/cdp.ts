// A small Chrome DevTools Protocol client over a WebSocket of its own (Node 20 has no WebSocket
// client, and the tests need no more than text frames): what a debugger does with Node's inspector.
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';

export interface CdpTarget {
  readonly webSocketDebuggerUrl: string;
  readonly url: string;
}

type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: unknown };

export class CdpSession {
  private nextId = 1;
  private buffer = Buffer.alloc(0);
  private readonly waiting = new Map<number, (m: Message) => void>();
  private readonly events: Message[] = [];
  private readonly eventWaiters: { method: string; resolve: (m: Message) => void }[] = [];

  /** Every message sent and received, with times: what a test prints when a step does not come. */
  readonly trace: string[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.note('socket closed');
      // Nothing more will come: every command still waiting fails now, saying so.
      for (const answer of this.waiting.values()) answer({ error: 'the connection closed before the answer came' });
      this.waiting.clear();
    });
    socket.on('end', () => this.note('socket ended by the inspector'));
    socket.on('error', (err) => this.note(`socket error: ${err.message}`));
  }

  private note(line: string): void {
    this.trace.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (this.trace.length > 200) this.trace.splice(0, this.trace.length - 200);
  }

  static async connect(wsUrl: string): Promise<CdpSession> {
    const url = new URL(wsUrl);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const req = request({
        host: url.hostname, port: url.port, path: url.pathname,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
      });
      req.on('upgrade', (_res, sock: Socket) => resolve(sock));
      req.on('response', (res) => reject(new Error(`no WebSocket upgrade: HTTP ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    return new CdpSession(socket);
  }

  /** Send a command; resolves with its result (rejects with its error). */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const body = Buffer.from(JSON.stringify({ id, method, params }));
    const mask = randomBytes(4);
    const head = body.length < 126
      ? Buffer.from([0x81, 0x80 | body.length])
      : Buffer.concat([Buffer.from([0x81, 0x80 | 126]), Buffer.from([body.length >> 8, body.length & 0xff])]);
    const masked = Buffer.from(body.map((b, i) => b ^ mask[i % 4]!));
    this.note(`→ ${id} ${method}`);
    this.socket.write(Buffer.concat([head, mask, masked]));
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (m) => (m.error ? reject(new Error(`${method}: ${JSON.stringify(m.error)}`)) : resolve(m.result ?? {})));
    });
  }

  /** The next event named `method` (one already received counts). */
  event(method: string): Promise<Record<string, unknown>> {
    const i = this.events.findIndex((e) => e.method === method);
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0]!.params ?? {});
    return new Promise((resolve) => this.eventWaiters.push({ method, resolve: (m) => resolve(m.params ?? {}) }));
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      let len = this.buffer[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buffer.length < 4) return;
        len = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buffer.length < 10) return;
        len = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + len) return;
      const opcode = this.buffer[0]! & 0x0f;
      const payload = this.buffer.subarray(offset, offset + len);
      this.buffer = this.buffer.subarray(offset + len);
      if (opcode !== 1) this.note(`frame opcode ${opcode} (${len} bytes)`);
      if (opcode === 1) this.onMessage(JSON.parse(payload.toString('utf8')) as Message);
    }
  }

  private onMessage(m: Message): void {
    if (m.method !== 'Debugger.scriptParsed') this.note(m.id !== undefined ? `← ${m.id}${m.error ? ` error ${JSON.stringify(m.error)}` : ''}` : `← ${m.method}`);
    if (m.id !== undefined) {
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
      return;
    }
    const i = this.eventWaiters.findIndex((w) => w.method === m.method);
    if (i >= 0) this.eventWaiters.splice(i, 1)[0]!.resolve(m);
    else this.events.push(m);
  }
}

/** The inspector's targets, as DevTools lists them (GET /json/list). */
export async function listTargets(port: number): Promise<CdpTarget[]> {
  // Bounded: a request made while the runtime is still starting may never be answered.
  const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(5_000) });
  return (await res.json()) as CdpTarget[];
}
