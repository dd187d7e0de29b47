// Extensions for the Extensions API tests: one in shell (curl), one in Node.js, one that crashes
// at init, one that hangs on its first INVOKE. Each is a file of a layer's extensions/ folder.
import type { Files } from '../helpers/zip.js';

/**
 * The start of a shell extension: it registers as `name` for `events` (comma-separated) and has
 * $API (the Extensions API) and $ID (its identifier) set.
 */
const registered = (name: string, events: string) => `#!/bin/sh
API="http://$AWS_LAMBDA_RUNTIME_API/2020-01-01/extension"
HDRS=$(mktemp)
curl -s -D "$HDRS" -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: ${name}" -d '{"events":[${events.split(',').map((e) => `"${e}"`).join(',')}]}'
ID=$(grep -i '^lambda-extension-identifier:' "$HDRS" | cut -d' ' -f2 | tr -d '\\r')`;

const SH_EXT = `${registered('sh-ext', 'INVOKE,SHUTDOWN')}
n=0
while true; do
  EV=$(curl -s "$API/event/next" -H "Lambda-Extension-Identifier: $ID")
  case "$EV" in
    *SHUTDOWN*) echo "sh-ext: shutdown after $n invokes"; exit 0;;
    *INVOKE*) n=$((n+1));;
    *) echo "sh-ext: unexpected event: $EV"; exit 1;;
  esac
done
`;

const NODE_EXT = `#!/usr/bin/env node
const http = require('node:http');
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const call = (method, path, headers, body) => new Promise((resolve, reject) => {
  const r = http.request({ host, port, method, path, headers }, (m) => {
    let d = '';
    m.on('data', (c) => (d += c));
    m.on('end', () => resolve({ headers: m.headers, body: d }));
  });
  r.on('error', reject);
  r.end(body);
});
(async () => {
  const reg = await call('POST', '/2020-01-01/extension/register',
    { 'Lambda-Extension-Name': 'node-ext', 'Lambda-Extension-Accept-Feature': 'accountId' }, JSON.stringify({ events: ['INVOKE', 'SHUTDOWN'] }));
  const id = reg.headers['lambda-extension-identifier'];
  console.log('node-ext: registered ' + reg.body);
  let n = 0;
  for (;;) {
    const ev = JSON.parse((await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id })).body);
    if (ev.eventType === 'SHUTDOWN') {
      console.log('node-ext: shutdown ' + ev.shutdownReason + ' after ' + n + ' invokes, deadline in ' + (ev.deadlineMs - Date.now() > 0));
      process.exit(0);
    }
    n++;
    console.log('node-ext: invoke ' + ev.requestId + ' ' + ev.invokedFunctionArn + ' ' + ev.tracing.type);
  }
})();
`;

const CRASH_EXT = '#!/bin/sh\necho "crash-ext: giving up"\nexit 3\n';

const HANG_EXT = `${registered('hang-ext', 'INVOKE')}
curl -s "$API/event/next" -H "Lambda-Extension-Identifier: $ID" >/dev/null
echo "hang-ext: got an event, hanging"
exec sleep 3600
`;

/** Registers, then reports an init error of its own type. */
const INIT_ERROR_EXT = `${registered('init-error-ext', 'INVOKE')}
curl -s -X POST "$API/init/error" -H "Lambda-Extension-Identifier: $ID" -H "Lambda-Extension-Function-Error-Type: Extension.ConfigInvalid" -d '{"errorMessage":"no API key"}'
exec sleep 3600
`;

/** Exits on its first INVOKE, in the middle of the invocation. */
const DIES_EXT = `${registered('dies-ext', 'INVOKE')}
curl -s "$API/event/next" -H "Lambda-Extension-Identifier: $ID" >/dev/null
exit 9
`;

/**
 * Post-invocation work: after its first INVOKE it works for 3 s (the function has answered by
 * then), says so and calls next; after the others it calls next at once.
 */
const POST_WORK_EXT = `${registered('post-ext', 'INVOKE')}
n=0
while true; do
  curl -s "$API/event/next" -H "Lambda-Extension-Identifier: $ID" >/dev/null
  n=$((n+1))
  if [ "$n" -eq 1 ]; then sleep 3; echo "post-ext: done with invoke 1"; fi
done
`;

const exe = (content: string) => ({ content, mode: 0o755 });

export const COUNTING_LAYER: Files = { 'extensions/sh-ext': exe(SH_EXT), 'extensions/node-ext': exe(NODE_EXT) };
export const CRASH_LAYER: Files = { 'extensions/crash-ext': exe(CRASH_EXT) };
export const HANG_LAYER: Files = { 'extensions/hang-ext': exe(HANG_EXT) };
export const INIT_ERROR_LAYER: Files = { 'extensions/init-error-ext': exe(INIT_ERROR_EXT) };
export const DIES_LAYER: Files = { 'extensions/dies-ext': exe(DIES_EXT) };
export const POST_WORK_LAYER: Files = { 'extensions/post-ext': exe(POST_WORK_EXT) };

export const HANDLER: Files = {
  'lambda_function.js': 'exports.lambda_handler = async (event) => ({ ok: true, n: event.n });\n',
};

/**
 * Runs until the platform ends it: the caller's answer never comes from the runtime, so that an
 * extension's crash during the invocation is what the caller gets (not a race with the answer).
 */
export const SLEEPING_HANDLER: Files = {
  'lambda_function.js': 'exports.lambda_handler = async () => { await new Promise((r) => setTimeout(r, 20000)); return { ok: true }; };\n',
};

/** Module state: which call of this environment's module this is. */
export const COUNTING_HANDLER: Files = {
  'lambda_function.js': 'let calls = 0;\nexports.lambda_handler = async () => ({ calls: ++calls });\n',
};
