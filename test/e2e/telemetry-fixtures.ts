// Extensions for the Telemetry API and internal-extension tests.
import type { Files } from '../helpers/zip.js';

/** Subscribes to platform and function events; prints each platform.report it receives. */
const TELEMETRY_EXT = `#!/usr/bin/env node
const http = require('node:http');
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const call = (method, path, headers, body) => new Promise((resolve, reject) => {
  const r = http.request({ host, port, method, path, headers }, (m) => {
    let d = '';
    m.on('data', (c) => (d += c));
    m.on('end', () => resolve({ status: m.statusCode, headers: m.headers, body: d }));
  });
  r.on('error', reject);
  r.end(body);
});
const listener = http.createServer((req, res) => {
  let d = '';
  req.on('data', (c) => (d += c));
  req.on('end', () => {
    for (const e of JSON.parse(d)) {
      if (e.type === 'platform.report') {
        const m = e.record.metrics;
        console.log('telemetry-ext: report ' + e.record.requestId + ' ' + m.durationMs + ' ' + m.billedDurationMs + ' ' + m.memorySizeMB + ' ' + e.record.status);
      } else if (e.type === 'function' && String(e.record).includes('handler-says')) {
        console.log('telemetry-ext: function ' + String(e.record).trim().split('\\t').pop());
      } else if (e.type === 'platform.initReport') {
        console.log('telemetry-ext: initReport ' + e.record.status);
      }
    }
    res.end('ok');
  });
});
listener.listen(4243, 'sandbox.localdomain', async () => {
  const reg = await call('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'telemetry-ext' }, JSON.stringify({ events: ['INVOKE', 'SHUTDOWN'] }));
  const id = reg.headers['lambda-extension-identifier'];
  const sub = await call('PUT', '/2022-07-01/telemetry', { 'Lambda-Extension-Identifier': id, 'Content-Type': 'application/json' }, JSON.stringify({
    schemaVersion: '2022-12-13', types: ['platform', 'function'], buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 },
    destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:4243/telemetry' },
  }));
  console.log('telemetry-ext: subscribed ' + sub.status + ' ' + sub.body);
  for (;;) {
    const ev = JSON.parse((await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id })).body);
    if (ev.eventType === 'SHUTDOWN') {
      setTimeout(() => process.exit(0), 200);
      return;
    }
  }
});
`;

/** Holds each invocation 300 ms after its INVOKE: that time is in Duration. */
const SLOW_EXT = `#!/bin/sh
API="http://$AWS_LAMBDA_RUNTIME_API/2020-01-01/extension"
HDRS=$(mktemp)
curl -s -D "$HDRS" -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: slow-ext" -d '{"events":["INVOKE"]}'
ID=$(grep -i '^lambda-extension-identifier:' "$HDRS" | cut -d' ' -f2 | tr -d '\\r')
while true; do
  curl -s "$API/event/next" -H "Lambda-Extension-Identifier: $ID" >/dev/null
  sleep 0.3
done
`;

/** Subscribes a listener that is not there (nothing listens on its port) and says when it is done. */
const DEAD_LISTENER_EXT = TELEMETRY_EXT
  .replace("listener.listen(4243, 'sandbox.localdomain',", "(async (cb) => cb())(")
  .replace('sandbox.localdomain:4243/telemetry', 'sandbox.localdomain:4249/nobody')
  .replace("'telemetry-ext'", "'dead-listener-ext'")
  .replace("'telemetry-ext: subscribed '", "'dead-listener-ext: subscribed '");

const exe = (content: string) => ({ content, mode: 0o755 });

export const TELEMETRY_LAYER: Files = { 'extensions/telemetry-ext': exe(TELEMETRY_EXT) };
export const DEAD_LISTENER_LAYER: Files = { 'extensions/dead-listener-ext': exe(DEAD_LISTENER_EXT) };
export const SLOW_LAYER: Files = { 'extensions/slow-ext': exe(SLOW_EXT) };

export const LOGGING_HANDLER: Files = {
  'lambda_function.js': 'exports.lambda_handler = async (event) => { console.log("handler-says " + event.n); return { n: event.n }; };\n',
};

/** A function whose own module registers an internal extension (INVOKE only) and counts INVOKEs. */
export const INTERNAL_EXTENSION_FUNCTION: Files = {
  'lambda_function.js': `
const http = require('node:http');
const { execFileSync } = require('node:child_process');
const api = process.env.AWS_LAMBDA_RUNTIME_API;
// Registered before the module finishes loading, so before the runtime asks for its first event.
const headers = execFileSync('curl', ['-s', '-D', '-', '-o', '/dev/null', '-X', 'POST', 'http://' + api + '/2020-01-01/extension/register',
  '-H', 'Lambda-Extension-Name: internal-ext', '-d', JSON.stringify({ events: ['INVOKE'] })]).toString();
const id = /lambda-extension-identifier: *(\\S+)/i.exec(headers)[1];
let invokes = 0;
const [host, port] = api.split(':');
function poll() {
  http.get({ host, port, path: '/2020-01-01/extension/event/next', headers: { 'Lambda-Extension-Identifier': id } }, (res) => {
    res.resume();
    res.on('end', () => { invokes++; poll(); });
  });
}
poll();
exports.lambda_handler = async () => ({ invokes });
`,
};
