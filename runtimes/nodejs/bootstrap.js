// lambkin's Node.js runtime: runs inside an execution environment, speaks the Lambda Runtime API
// (http://$AWS_LAMBDA_RUNTIME_API/2018-06-01) and calls the function's handler.
//   init:  load _HANDLER; on failure POST /runtime/init/error and exit 1
//   loop:  GET /runtime/invocation/next → handler → POST /invocation/{id}/response or /error
// Node built-ins only; nothing here may import lambkin's host code (src/).
import { RuntimeApiClient } from './runtime-api-client.js';
import { installLogging, logRuntimeRecord, setRequestId } from './log-patch.js';
import { loadHandler } from './handler-loader.js';
import { RuntimeError, toErrorResponse, toLoggedError } from './errors.js';
import { Runtime, invoke, invokeStreaming, makeContext } from './invoke.js';
import { endStream, installGlobals, isStreamingHandler, streamRequest } from './streaming.js';
import { awaitAssignment } from './prestart.js';

// Started ahead of its function (lambkin's pre-started pool): wait here for its environment.
if (process.env._LAMBKIN_PRESTART) awaitAssignment();
const env = process.env;
installLogging(env); // before any user code runs
installGlobals(); // awslambda.streamifyResponse and HttpResponseStream, as on Lambda
// lambkin's sandbox may show the host's Runtime API socket: straight there, skipping the TCP
// forwarder behind AWS_LAMBDA_RUNTIME_API. Private to this bootstrap; user code never sees it.
const socketPath = env._LAMBKIN_RUNTIME_API_SOCKET;
delete env._LAMBKIN_RUNTIME_API_SOCKET;
const client = new RuntimeApiClient(env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001', socketPath || undefined);

let phase = 'init'; // init → next → invoke → post → next …
let active = null; // the invocation in progress (phase 'invoke')
let exitAfterPost = null;
let initFailed = false;

// As on Lambda: an uncaught exception fails the current invocation (or init) and ends the process.
process.on('uncaughtException', (err) => crash(err, 'Uncaught Exception', 129));
process.on('unhandledRejection', (reason) => {
  crash(new RuntimeError('Runtime.UnhandledPromiseRejection', safeString(reason)), 'Unhandled Promise Rejection', 128);
});
// The event loop emptied while a handler had not answered (it returned nothing and scheduled
// nothing more): Lambda answers null then, and so do we.
process.on('beforeExit', () => {
  if (active !== null) active.succeed(undefined);
});

let runtime;
try {
  runtime = new Runtime(await loadHandler(env.LAMBDA_TASK_ROOT ?? process.cwd(), env._HANDLER || 'lambda_function.lambda_handler'));
} catch (err) {
  await initError(err, 'Uncaught Exception');
}
await loop();

async function loop() {
  let polled = null; // the next event, asked for with the last result
  for (;;) {
    phase = 'next';
    const next = await (polled ?? client.next()).catch(fatal);
    polled = null;
    if (next.status !== 200) fatal(new Error(`Runtime API answered ${next.status} to /next: ${next.body.toString('utf8')}`));
    const headers = next.headers;
    const id = headers['lambda-runtime-aws-request-id'];
    setRequestId(id);
    const trace = headers['lambda-runtime-trace-id'];
    if (trace !== undefined) env._X_AMZN_TRACE_ID = trace;
    else delete env._X_AMZN_TRACE_ID;

    phase = 'invoke';
    let outcome;
    let event;
    try {
      event = JSON.parse(next.body.toString('utf8'));
    } catch (err) {
      outcome = { failed: true, value: new RuntimeError('Runtime.UnmarshalError', `Unable to unmarshal input: ${err.message}`) };
    }
    let streamed = null;
    if (outcome === undefined && isStreamingHandler(runtime.handler)) {
      streamed = streamRequest(client, id);
      active = invokeStreaming(runtime, event, streamed.stream, makeContext(headers));
    } else if (outcome === undefined) {
      active = invoke(runtime, event, makeContext(headers));
    }
    if (active !== null) {
      outcome = await active.done;
      active = null;
    }

    phase = 'post';
    // Each resolves with the poll sent with the result, if one was, in an array: not awaited yet.
    [polled] = await (streamed === null ? report(id, outcome) : reportStreamed(id, streamed, outcome));
    if (exitAfterPost !== null) process.exit(exitAfterPost);
  }
}

/** Posts the result; resolves with [the poll for the next event sent with it, or null]. */
async function report(id, outcome) {
  let failed = outcome.failed;
  let value = outcome.value;
  let path;
  let body;
  if (!failed) {
    try {
      body = JSON.stringify(value === undefined ? null : value) ?? 'null'; // functions, symbols → null
      path = `invocation/${id}/response`;
    } catch (err) {
      failed = true;
      value = new RuntimeError('Runtime.MarshalError', `Unable to stringify response body: ${err?.message ?? err}`);
    }
  }
  let errorType;
  if (failed) {
    if (!outcome.logged) logRuntimeRecord('ERROR', 'Invoke Error', toLoggedError(value), errorFields(value));
    const response = toErrorResponse(value);
    errorType = response.errorType;
    body = JSON.stringify(response);
    path = `invocation/${id}/error`;
  }
  // The poll for the next event goes out with the result (one write, answered in order), unless
  // this process is about to exit: then it would be a poll nobody reads.
  const [posted, polled] = exitAfterPost === null ? client.postThenNext(path, body, errorType) : [client.post(path, body, errorType), null];
  polled?.catch(() => {}); // its failure is seen where it is awaited
  const answer = await posted.catch(fatal);
  // 403 (not the active request: it timed out meanwhile) or 413 (too large) is the host's verdict,
  // already turned into the invocation's error there. Note it and take the next event.
  if (answer.status >= 300) {
    logRuntimeRecord('WARN', `Runtime API answered ${answer.status} to ${path}: ${answer.body.toString('utf8')}`);
  }
  return [polled]; // not awaited here: a crash meanwhile (exitAfterPost) must not wait for an event
}

/** The end of a streamed response; a failure before its first byte is an ordinary /error. */
async function reportStreamed(id, streamed, outcome) {
  if (outcome.failed && !streamed.stream.opened) return report(id, outcome);
  let error = null;
  if (outcome.failed) {
    if (!outcome.logged) logRuntimeRecord('ERROR', 'Invoke Error', toLoggedError(outcome.value), errorFields(outcome.value));
    error = toErrorResponse(outcome.value);
  }
  await endStream(streamed.stream, error);
  const answer = await streamed.answered;
  if (answer.status >= 300) {
    logRuntimeRecord('WARN', `Runtime API answered ${answer.status} to the streamed response: ${answer.body.toString('utf8')}`);
  }
  return [null];
}

async function initError(err, label) {
  if (initFailed) return new Promise(() => {}); // the first failure is reported; it ends the process
  initFailed = true;
  logRuntimeRecord('ERROR', label, toLoggedError(err), errorFields(err));
  const response = toErrorResponse(err);
  await client.post('init/error', JSON.stringify(response), response.errorType).catch(() => {});
  process.exit(1);
}

function crash(err, label, code) {
  if (phase === 'init') {
    initError(err, label);
    return;
  }
  logRuntimeRecord('ERROR', label, toLoggedError(err), errorFields(err));
  if (phase === 'next') process.exit(code);
  // Fail the invocation in progress (if it has not answered yet), let its answer reach the host, then exit.
  if (active !== null) active.fail(err, { logged: true });
  exitAfterPost = code;
}

function errorFields(err) {
  const r = toErrorResponse(err);
  return { errorType: r.errorType, errorMessage: r.errorMessage, stackTrace: r.stackTrace };
}

function fatal(err) {
  // The Runtime API is unreachable: the environment is gone. Nothing to report to.
  process.stderr.write(`lambkin runtime: ${err?.message ?? err}\n`);
  process.exit(1);
}

function safeString(value) {
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}
