// `lambkin dev --debug FUNCTION`: keep a debug environment of the function ready. A debug
// environment serves one invocation, and a redeploy replaces it: this asks the server again every
// second (asking while one waits returns that one; while one runs, the server says so and nothing
// changes), and says where to attach whenever the address changes.
import type { LambkinClient } from '../../client/index.js';
import { isApiError } from '../../client/index.js';
import { startDebugSession } from '../debug-session.js';

const EVERY_MS = 1_000;

export class DebugKeeper {
  private timer: NodeJS.Timeout | undefined;
  private address: string | undefined;
  private lastProblem: string | undefined;
  private stopped = false;

  constructor(private readonly client: LambkinClient, private readonly name: string, private readonly say: (line: string) => void) {}

  async start(): Promise<void> {
    await this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async arm(): Promise<void> {
    try {
      if (this.address === undefined) this.address = (await startDebugSession(this.client, this.name)).address;
      else {
        const session = await this.client.debug(this.name);
        if (session.address !== this.address) this.say(`debugger: ${this.name}'s next invocation now listens on ${session.address}`);
        this.address = session.address;
      }
      this.lastProblem = undefined;
    } catch (err) {
      // Busy: its one invocation runs (maybe paused); a new one is asked for once it is over.
      const problem = isApiError(err, 'ResourceConflictException') ? undefined : (err as Error).message;
      if (problem && problem !== this.lastProblem) this.say(`debugger: ${problem}`);
      this.lastProblem = problem;
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.arm(), EVERY_MS);
  }
}
