// One invocation: the context object and calling the handler in any of the forms Lambda's Node.js
// runtime accepts — async / promise-returning, callback(err, result), context.succeed/fail/done.
const env = process.env;

// The handler is called as a method of a `Runtime`, so user stack frames read
// `at Runtime.handler (file:///…)` as they do on Lambda.
export class Runtime {
  constructor(handler) {
    this.handler = handler;
  }
}

/**
 * @param {Record<string, string>} headers the /next response headers (lower-case names)
 * @returns {object} the context passed to the handler; succeed/fail/done are added by invoke()
 */
export function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  return {
    callbackWaitsForEmptyEventLoop: true, // settable, as on Lambda; the result is sent at the callback regardless
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, // a string, as on Lambda
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseJson(headers['lambda-runtime-client-context']),
    identity: parseJson(headers['lambda-runtime-cognito-identity']),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

function parseJson(text) {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * @typedef {{ failed: boolean, value: unknown, logged?: boolean }} Outcome
 * @typedef {{ done: Promise<Outcome>, succeed: (result: unknown) => void, fail: (err: unknown, extra?: object) => void }} Invocation
 */

/**
 * Call the handler. `done` settles with the first of: the returned promise, callback,
 * context.succeed/fail/done, or a settle from outside (an uncaught exception, an empty event loop).
 * @returns {Invocation}
 */
export function invoke(runtime, event, context) {
  const { done, succeed, fail } = settlement();
  const callback = (err, result) => (err === undefined || err === null ? succeed(result) : fail(err));
  context.succeed = succeed;
  context.fail = (err) => fail(err);
  context.done = callback;

  let returned;
  try {
    returned = runtime.handler(event, context, callback);
  } catch (err) {
    fail(err);
    return { done, succeed, fail };
  }
  if (returned !== null && (typeof returned === 'object' || typeof returned === 'function') && typeof returned.then === 'function') {
    returned.then(succeed, (err) => fail(err));
  } else if (returned !== undefined && runtime.handler.length < 3) {
    // A synchronous handler that returns a value: Lambda would ignore the value and wait for the
    // event loop to empty (answering null). We send the value — the useful thing, and what the
    // author evidently meant. A handler that returns nothing still waits for callback/context.*
    // or for the event loop to empty, as on Lambda.
    succeed(returned);
  }
  return { done, succeed, fail };
}

/**
 * Call a streaming handler (awslambda.streamifyResponse): `(event, responseStream, context)`.
 * `done` settles with its promise, or — for one that returns none — when its stream finishes.
 * @returns {Invocation}
 */
export function invokeStreaming(runtime, event, stream, context) {
  const { done, succeed, fail } = settlement();
  let returned;
  try {
    returned = runtime.handler(event, stream, context);
  } catch (err) {
    fail(err);
    return { done, succeed, fail };
  }
  if (returned !== null && typeof returned === 'object' && typeof returned.then === 'function') returned.then(succeed, (err) => fail(err));
  else stream.once('finish', () => succeed(undefined));
  return { done, succeed, fail };
}

/**
 * How an invocation ends, once: `done` settles with the first of succeed/fail; later calls are
 * ignored. Lambda reports a failure without an error (context.fail(), callback(null) is success)
 * as "handled".
 */
function settlement() {
  let settle;
  const done = new Promise((resolve) => {
    settle = resolve;
  });
  let finished = false;
  const succeed = (result) => {
    if (finished) return;
    finished = true;
    settle({ failed: false, value: result });
  };
  const fail = (err, extra) => {
    if (finished) return;
    finished = true;
    settle({ failed: true, value: err === undefined || err === null ? 'handled' : err, ...extra });
  };
  return { done, succeed, fail };
}
