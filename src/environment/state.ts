// An execution environment's states and the transitions allowed between them. Anything else is
// refused with an IllegalTransition (as RIE's state machine does), never half-applied.

export type EnvState = 'starting' | 'idle' | 'busy' | 'stopping' | 'stopped';

const ALLOWED: Readonly<Record<EnvState, readonly EnvState[]>> = {
  starting: ['idle', 'stopping'],
  idle: ['busy', 'stopping'],
  busy: ['idle', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export class IllegalTransition extends Error {
  constructor(readonly from: EnvState, readonly to: EnvState) {
    super(`environment cannot go from ${from} to ${to}`);
  }
}

export function checkTransition(from: EnvState, to: EnvState): void {
  if (!ALLOWED[from].includes(to)) throw new IllegalTransition(from, to);
}
