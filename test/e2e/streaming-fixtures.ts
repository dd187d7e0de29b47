// Functions that stream their responses, for streaming.test.ts: a Node.js handler wrapped in
// awslambda.streamifyResponse, and a custom runtime whose bootstrap streams with curl.
import type { RuntimeCase } from '../helpers/functions.js';
import type { Files } from '../helpers/zip.js';

export type StreamEvent = { chunk: string } | { complete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } };

export const PROVIDED = { label: 'node', runtime: 'nodejs20.x', file: 'bootstrap' } as unknown as RuntimeCase;

// op 'parts': write each part and a newline, with a turn of the event loop between;
// op 'hold': write the first part, wait until event.release exists, write the rest;
// op 'throw': write the parts, then throw; 'sleep' / 'exit': write the parts, then sleep event.ms / exit;
// op 'big': write event.mb MB in 1 MB pieces; op 'progress': the same, counting them in a file;
// op 'http': an HTTP response for a function URL (prelude, then the parts, holding as 'hold' does
// when event.release is set); op 'early-throw': throw before writing anything; op 'raw-prelude':
// an HTTP integration response written by hand in event.pieces.
export const STREAMING_NODE: Files = {
  'lambda_function.js': `
const fs = require('node:fs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
class StreamBoom extends Error { constructor(m) { super(m); this.name = 'StreamBoom'; } }
exports.lambda_handler = awslambda.streamifyResponse(async (event, stream, context) => {
  // Called through a function URL: the test's instructions are the request body.
  if (event.requestContext) event = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body);
  if (event.op === 'early-throw') throw new StreamBoom('before any byte');
  if (event.op === 'raw-prelude') {
    // An HTTP response written by hand, in the pieces given (a prelude may arrive split).
    stream.setContentType('application/vnd.awslambda.http-integration-response');
    for (const piece of event.pieces) {
      stream.write(piece);
      await sleep(20);
    }
    stream.end();
    return;
  }
  const parts = event.parts ?? [];
  if (event.op === 'http') {
    stream = awslambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { 'x-streamed': 'yes', 'content-type': 'text/plain' }, cookies: ['a=1'] });
  }
  if (event.op === 'progress') {
    // 1 MB at a time, each written once the previous one has left for the Runtime API; how many
    // have gone is kept in event.progress, for the test to see how far a caller that reads nothing lets it get.
    const mb = Buffer.alloc(1024 * 1024, 121);
    for (let i = 1; i <= event.mb; i++) {
      await new Promise((r) => stream.write(mb, r));
      fs.writeFileSync(event.progress, String(i));
    }
    stream.end();
    return;
  }
  if (event.op === 'big') {
    const mb = Buffer.alloc(1024 * 1024, 120);
    for (let i = 0; i < event.mb; i++) {
      if (!stream.write(mb)) await new Promise((r) => stream.once('drain', r));
    }
    stream.end();
    return;
  }
  for (let i = 0; i < parts.length; i++) {
    stream.write(parts[i] + '\\n');
    if (i === 0 && event.release) {
      while (!fs.existsSync(event.release)) await sleep(20);
    } else await sleep(10);
  }
  if (event.op === 'throw') throw new StreamBoom('broke after the first chunk');
  if (event.op === 'sleep') await sleep(event.ms);
  if (event.op === 'exit') process.exit(3);
  stream.end();
});
`,
};

// Writes "start", waits for the release file (when the event names one), writes "end" — piped
// into curl's chunked upload as it goes.
export const STREAMING_SHELL: Files = {
  bootstrap: {
    mode: 0o755,
    content: `#!/bin/sh
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
HEADERS="$(mktemp)"
while true; do
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i '^lambda-runtime-aws-request-id:' "$HEADERS" | cut -d' ' -f2 | tr -d '\\r')"
  RELEASE="$(printf '%s' "$EVENT" | sed -n 's/.*"release":"\\([^"]*\\)".*/\\1/p')"
  {
    echo start
    if [ -n "$RELEASE" ]; then while [ ! -e "$RELEASE" ]; do sleep 0.05; done; fi
    echo end
  } | curl -sS -o /dev/null -X POST -T - -H 'Lambda-Runtime-Function-Response-Mode: streaming' \\
      -H 'Content-Type: text/plain' "$API/invocation/$ID/response"
done
`,
  },
};
