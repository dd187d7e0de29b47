// What the scheduler's callers hand it and get back: an invocation's input and result, the sink a
// streamed response is written to, and the function-error body. They are defined by the
// environment that runs the invocation; re-exported here so that api/ reaches running functions
// through the scheduler only, never into environment/ (test/unit/layering.test.ts).
export { errorPayload, type InvocationInput, type InvocationResult } from '../environment/invocation.js';
export type { ResponseSink } from '../environment/response-stream.js';
