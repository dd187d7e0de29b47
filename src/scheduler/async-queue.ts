// The AsyncQueue interface: the durable store of Event invocations, with exactly what the async
// invoker (async-invoker.ts) and lambkin's async routes (api/async/routes.ts) use. The invoker keeps
// the events waiting to run in memory (waiting-events.ts) and asks the store only at start
// (pending), when an event is accepted, run, retried or finished, and for the dead letters: never
// per pump. Implementations: async-queue-sqlite.ts (<dataDir>/async.db, the default, one process),
// async-queue-postgres.ts (several nodes on one database) and, for a cluster, cluster/async-stream.ts
// (events in JetStream, handed to nodes by it: such a queue has deliver()). Every one passes
// test/conformance/async-queue-cases.ts.
//
// What an implementation guarantees:
// - enqueue resolves only once the event is durable (the caller answers 202 after it);
// - an event stays until finish: a crash at any moment leaves it in pending() at the next start,
//   so delivery is at least once;
// - finish is one transaction: the event goes, and its follow-up event or dead letter (with the
//   cap applied and counted) appears, all or nothing;
// - seq grows with each enqueue of one queue; pending() is ordered by (nextAt, seq);
// - a function's dead letters are capped at deadLetterLimit: past it, its oldest go and are
//   counted (deadLetterDrops) until forgetDeadLetters.

export interface NewEvent {
  readonly id: string; // the request id, kept across retries
  readonly functionName: string;
  readonly qualifier: string; // '' = unqualified
  readonly payload: Buffer;
}

export interface QueuedEvent {
  readonly seq: number;
  readonly id: string;
  readonly functionName: string;
  readonly qualifier: string;
  readonly enqueuedAt: number; // ms since epoch
  attempts: number; // runs that reached the function
  nextAt: number; // not before (ms since epoch)
  throttles: number; // in memory only: for the throttle back-off
}

export interface DeadLetter {
  readonly seq: number;
  readonly id: string;
  readonly functionName: string;
  readonly qualifier: string;
  readonly payload: Buffer;
  readonly enqueuedAt: number;
  readonly failedAt: number;
  readonly attempts: number;
  readonly condition: string; // RetriesExhausted | EventAgeExceeded
  readonly errorType?: string;
  readonly errorMessage?: string;
}

/** What a finished event leaves in the dead-letter list besides the event itself. */
export type DeadLetterOutcome = Omit<DeadLetter, 'seq' | 'id' | 'functionName' | 'qualifier' | 'payload' | 'enqueuedAt'>;

export interface FinishOutcome {
  /** Queued in the same transaction (a destination function's invocation). */
  readonly followUp?: NewEvent;
  /** Keep the event (its payload) as a dead letter. */
  readonly deadLetter?: DeadLetterOutcome;
}

export interface Finished {
  readonly followUp?: QueuedEvent;
  /** How many of the function's oldest letters went to keep its list within the cap. */
  readonly dropped: number;
}

export interface DeadLetterPage {
  readonly letters: DeadLetter[];
  /** Where the next page starts (give it as `after`); absent on the last page. */
  readonly next?: number;
}

export interface DeadLetterPageRequest {
  /** A previous page's `next`; the first page without it. */
  readonly after?: number;
  /** Letters at most: 100 by default, clamped to 1…MAX_DEAD_LETTER_PAGE. */
  readonly limit?: number;
}

export interface AsyncQueueOptions {
  /** Dead letters kept per function; past it the oldest go. */
  readonly deadLetterLimit?: number;
}

export const DEFAULT_DEAD_LETTER_LIMIT = 10_000;
/** Letters in one page at most. */
export const MAX_DEAD_LETTER_PAGE = 1_000;
export const DEFAULT_DEAD_LETTER_PAGE = 100;
/** The bytes of payloads and errors past which a page stops (it holds one letter at least). */
export const MAX_DEAD_LETTER_PAGE_BYTES = 4 * 1024 * 1024;

export interface AsyncQueue {
  readonly deadLetterLimit: number;

  /**
   * A queue that hands events to nodes itself (a cluster's JetStream stream) has this: each event
   * comes to `listener` when this node is to run it — accepted here or at another node, retried,
   * redriven or a destination's follow-up — and the invoker keeps no list of its own beyond those.
   * claim() then answers only what was handed to this node. Store queues (SQLite, PostgreSQL) have
   * no deliver(): their invoker lists pending() at start and keeps what it enqueues.
   */
  deliver?(listener: (event: QueuedEvent) => void): void;

  /**
   * Delivering queues only: per function with unfinished events, how many there are in the whole
   * queue (waiting, held or running, wherever), counted at a cost that does not grow with them.
   */
  counts?(): Promise<Map<string, number>>;

  /** Every event not yet finished, ordered by (nextAt, seq): at start, what a previous run left. */
  pending(): Promise<QueuedEvent[]>;

  /** Store an accepted event; resolves once it is durable (then, and only then, answer 202). */
  enqueue(event: NewEvent): Promise<QueuedEvent>;

  /**
   * Take the event to run it (or to give it up): its payload, or undefined when it is not there to
   * take (finished already, here or by another node, or claimed by another live node sharing the
   * store). Until retry, finish or close, no other node can take it.
   */
  claim(event: QueuedEvent): Promise<Buffer | undefined>;

  /** The event failed and runs again not before `event.nextAt`, with `event.attempts` counted. */
  retry(event: QueuedEvent): Promise<void>;

  /** The event is done: it goes, in one transaction with its follow-up event or dead letter. */
  finish(event: QueuedEvent, outcome?: FinishOutcome): Promise<Finished>;

  /**
   * A page of a function's dead letters, oldest first: `limit` letters at most, fewer when their
   * payloads and errors pass MAX_DEAD_LETTER_PAGE_BYTES (one at least).
   */
  deadLetters(functionName: string, page?: DeadLetterPageRequest): Promise<DeadLetterPage>;

  /** Per function with dead letters, how many it has. */
  deadLetterCounts(): Promise<Map<string, number>>;

  /** Per function, how many dead letters the cap has removed (since its letters were last forgotten). */
  deadLetterDrops(): Promise<Map<string, number>>;

  /** Move a function's dead letters back into the queue as fresh events (same request ids, oldest first). */
  redrive(functionName: string): Promise<QueuedEvent[]>;

  /** A deleted function's dead letters and drop count go with it. */
  forgetDeadLetters(functionName: string): Promise<void>;

  /**
   * A deleted function's queued events go, and what the queue keeps per function (a cluster's
   * JetStream consumer); `recreated` says whether a function of that name exists again, so that a
   * new one's events stay. Queues without it drop a deleted function's events when they come up.
   */
  forgetEvents?(functionName: string, recreated: () => Promise<boolean>): Promise<void>;

  /** Commit what is under way, then release the store. */
  close(): Promise<void>;
}
