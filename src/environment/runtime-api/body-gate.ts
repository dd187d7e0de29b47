// One body in flight per environment: its runtime posts one result at a time, so a second body
// while one is being read is not the runtime's, and is refused before a byte of it is read. With
// refusals of bodies for any other request id (response.ts, error.ts), what an environment's
// function code can make the host hold is one result of at most 6 MB.
import type { Refusal } from './host.js';

export class BodyGate {
  private inFlight = false;

  /** undefined when the caller may read its body; it must then call release() once done, whatever happens. */
  claim(): Refusal | undefined {
    if (this.inFlight) return BUSY;
    this.inFlight = true;
    return undefined;
  }

  release(): void {
    this.inFlight = false;
  }
}

const BUSY: Refusal = {
  status: 403,
  errorType: 'InvalidStateTransition',
  errorMessage: 'Another result is being posted to this environment\'s Runtime API; a runtime posts one at a time.',
};
