// The Extensions and Telemetry APIs of one environment, as its Runtime API listener calls them
// (runtime-api/extension-routes.ts, telemetry-route.ts): what is legal in which state of the
// environment, and who is asking. The bookkeeping is in extensions.ts and telemetry/.
import type { ServerResponse } from 'node:http';
import type { FunctionRecord } from '../../registry/types.js';
import type { SandboxBackend } from '../../sandbox/types.js';
import type { EnvState } from '../state.js';
import type { ExtensionApiHost, Refusal } from '../runtime-api/host.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { Subscription } from '../telemetry/subscribe.js';
import type { ExtensionEvent, Extensions } from './extensions.js';
import { registrationInfo, UNKNOWN_EXTENSION } from './events.js';

/** What the APIs need of their environment. */
export interface ExtensionApiEnv {
  readonly fn: FunctionRecord;
  readonly state: EnvState;
  readonly extensions: Extensions;
  readonly telemetry: Telemetry;
  extensionFailed(name: string, errorType: string, message: string): void;
}

const INIT_ONLY: Refusal = { status: 403, errorType: 'Extension.InvalidState', errorMessage: 'Extensions may only register during init.' };
const INIT_ERROR_LATE: Refusal = { status: 403, errorType: 'InvalidStateTransition', errorMessage: 'init/error is only legal during init' };

export class ExtensionApi implements ExtensionApiHost {
  constructor(private readonly env: ExtensionApiEnv, private readonly backend: Pick<SandboxBackend, 'name' | 'connectInside'>) {}

  registerExtension(name: string, events: readonly ExtensionEvent[]): { id: string } | Refusal {
    if (this.env.state !== 'starting') return INIT_ONLY;
    return this.env.extensions.register(name, events);
  }

  registrationInfo(withAccountId: boolean): object {
    return registrationInfo(this.env.fn, withAccountId);
  }

  extensionNext(id: string, res: ServerResponse): Refusal | undefined {
    if (this.env.state === 'stopped') {
      res.destroy();
      return undefined;
    }
    return this.env.extensions.next(id, res);
  }

  extensionError(id: string, phase: 'init' | 'exit', errorType: string): Refusal | undefined {
    const name = this.env.extensions.nameOf(id);
    if (name === undefined) return UNKNOWN_EXTENSION;
    if (phase === 'init' && this.env.state !== 'starting') return INIT_ERROR_LATE;
    this.env.extensionFailed(name, errorType, `Extension ${name} reported ${phase === 'init' ? 'an init' : 'an exit'} error: ${errorType}`);
    return undefined;
  }

  subscribeTelemetry(id: string, sub: Subscription): Refusal | undefined {
    if (!this.env.extensions.known(id)) return UNKNOWN_EXTENSION;
    if (!this.backend.connectInside) {
      return { status: 400, errorType: 'ValidationError', errorMessage: `The ${this.backend.name} sandbox cannot deliver telemetry to a listener in it.` };
    }
    this.env.telemetry.subscribe(id, sub);
    return undefined;
  }
}
