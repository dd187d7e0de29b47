// Generators of malformed API requests, from a seeded PRNG (the seed is printed; FUZZ_SEED replays a
// run): random bytes, valid JSON of the wrong types, huge strings, deep JSON, invalid UTF-8 and
// percent-encoding, zip bombs and zip slips, 7 MB payloads, unknown routes and methods, and
// hostile headers. Each request targets a declared route (or deliberately none).
import { zipSync } from 'fflate';
import type { RouteSpec } from './fuzz-routes.js';

export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  readonly kind: string;
  /**
   * Refused by Node's HTTP parser before lambkin sees it (an unknown method, headers over 16 KB):
   * answered 400/431 and the connection closed, which a client still sending its body sees as a reset.
   */
  readonly protocolError: boolean;
}

export type Rng = () => number;

/** mulberry32: small, fast, good enough to pick cases reproducibly. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** Made once: expensive, and the same bytes serve every request of their kind. */
export interface Payloads {
  readonly bombHonest: Buffer;
  readonly bombLying: Buffer;
  readonly slip: Buffer;
  readonly slipLink: Buffer;
  readonly manyEntries: Buffer;
  readonly corrupt: Buffer;
  readonly sevenMb: Buffer;
}

export function makePayloads(): Payloads {
  const unix = (mode: number) => ({ os: 3, attrs: ((mode << 16) >>> 0) });
  const zeros = new Uint8Array(300 * 1024 * 1024);
  const bombHonest = Buffer.from(zipSync({ 'zeros.bin': [zeros, { level: 9 }] }));
  // The same bomb claiming to unpack to 1,000 bytes: sizes patched in both headers.
  const bombLying = Buffer.from(bombHonest);
  bombLying.writeUInt32LE(1000, 22); // local header: uncompressed size
  const cd = bombLying.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  bombLying.writeUInt32LE(1000, cd + 24); // central directory: uncompressed size
  const slip = Buffer.from(zipSync({ '../../../../tmp/lambkin-fuzz-slip': new TextEncoder().encode('x'), 'ok.js': new TextEncoder().encode('1') }));
  const slipLink = Buffer.from(zipSync({ escape: [new TextEncoder().encode('/etc'), unix(0o120777)], 'escape/passwd': new TextEncoder().encode('x') }));
  const many: Record<string, Uint8Array> = {};
  for (let i = 0; i < 21_000; i++) many[`f${i}`] = new Uint8Array(0);
  const manyEntries = Buffer.from(zipSync(many, { level: 0 }));
  const corrupt = Buffer.from(bombHonest.subarray(0, 4096));
  const sevenMb = Buffer.alloc(7 * 1024 * 1024, 0x61);
  return { bombHonest, bombLying, slip, slipLink, manyEntries, corrupt, sevenMb };
}

const NAME_CHOICES = [
  'fz-echo', 'fz-echo:$LATEST', 'fz-echo:1', 'arn:aws:lambda:us-east-1:000000000000:function:fz-echo', 'nope', 'fz-stream',
  '', ' ', '..', '%2e%2e', '%2F', 'a%2Fb', '%FF%FE', '%E0%A4%A', '%', '%00', '😀', 'x'.repeat(10_000), 'arn:aws:lambda:::', "'; DROP TABLE functions;--",
  '$LATEST', '__proto__', 'constructor', '-1', '1e309',
  // Layers: a layer name, a version number, a layer ARN, a statement id.
  'fz-layer', '1', '0', '99999999999999999999', 'arn:aws:lambda:us-east-1:000000000000:layer:fz-layer', 'arn:aws:lambda:us-east-1:000000000000:layer:fz-layer:1', 'sid-1',
];
const QUERY_KEYS = [
  'Qualifier', 'MaxItems', 'Marker', 'FunctionVersion', 'limit', 'nextToken', 'startTime', 'since', 'until', 'resolution', 'functionName', 'q', '__proto__',
  'find', 'Arn', 'CompatibleRuntime', 'CompatibleArchitecture', 'RevisionId', 'tagKeys',
];
const JUNK_VALUES: readonly unknown[] = [
  // biome-ignore lint/correctness/noPrecisionLoss: 1e309 is Infinity on purpose (a number JSON cannot carry)
  null, true, false, 0, -1, 1.5, 1e309, -0, 2 ** 53 + 1, '', ' ', '\u0000', 'x'.repeat(300), [], [[]], {}, { a: { b: {} } }, '😀', '\uD800',
  '${jndi:ldap://x}', '../../etc/passwd', 'arn:aws:lambda:us-east-1:000000000000:function:fz-echo', 'nodejs20.x', 'python3.11', 'provided',
];
const FIELDS = [
  'FunctionName', 'Runtime', 'Role', 'Handler', 'Code', 'ZipFile', 'MemorySize', 'Timeout', 'Environment', 'Description', 'Publish',
  'RevisionId', 'LoggingConfig', 'EphemeralStorage', 'Name', 'FunctionVersion', 'RoutingConfig', 'ReservedConcurrentExecutions',
  'ProvisionedConcurrentExecutions', 'MaximumRetryAttempts', 'DestinationConfig', 'AuthType', 'Cors', 'logGroupName', 'logStreamName',
  'filterPattern', 'limit', 'nextToken', 'startTime', 'endTime', 'retentionInDays', 'logStreamNames', 'LambkinSanitizeErrors', 'LambkinSingleUse', 'Tags',
  'Layers', 'Content', 'CompatibleRuntimes', 'CompatibleArchitectures', 'LicenseInfo', 'StatementId', 'Action', 'Principal', 'OrganizationId',
  'SourceArn', 'SourceAccount', 'FunctionUrlAuthType', 'TracingConfig', 'VpcConfig', 'DeadLetterConfig', 'SnapStart', 'KMSKeyArn',
  'queryString', 'queryId', 'logGroupNames', 'logGroupIdentifiers', 'status', 'maxResults', 'time', 'queryLanguage',
  'tags', 'tagKeys', 'resourceArn', 'kmsKeyId', 'logStreamNamePrefixes', 'logEventFilterPattern',
  'filterName', 'filterNamePrefix', 'destinationArn', 'distribution', 'logEvents', 'timestamp', 'message', 'sequenceToken', 'entity',
];
const TARGETS = [
  'DescribeLogGroups', 'DescribeLogStreams', 'GetLogEvents', 'FilterLogEvents', 'PutRetentionPolicy', 'DeleteRetentionPolicy', 'DeleteLogGroup', 'CreateLogGroup',
  'StartQuery', 'GetQueryResults', 'StopQuery', 'DescribeQueries', 'GetLogGroupFields', 'StartLiveTail',
  'PutSubscriptionFilter', 'DescribeSubscriptionFilters', 'DeleteSubscriptionFilter',
  'CreateLogStream', 'DeleteLogStream', 'PutLogEvents',
  'TagResource', 'UntagResource', 'ListTagsForResource', 'TagLogGroup', 'UntagLogGroup', 'ListTagsLogGroup', '', '\u00dcnknown',
];

/** Pieces of Logs Insights queries: commands, fields, operators, functions, literals, and junk. */
const QUERY_PIECES = [
  'fields', 'filter', 'stats', 'sort', 'limit', 'parse', 'display', 'dedup', 'by', 'as', 'asc', 'desc', 'and', 'or', 'not', 'like', 'in', '|', '|', '|',
  '@timestamp', '@message', '@logStream', '@log', '@requestId', '@type', '@duration', '@initDuration', '@maxMemoryUsed', 'level', 'a.b.0', '`odd name`',
  '=', '!=', '<', '<=', '>', '>=', '=~', '+', '-', '*', '/', '%', '^', '(', ')', ',', '[', ']', '(', ')',
  'count(*)', 'count()', 'count_distinct(', 'sum(', 'avg(', 'min(', 'max(', 'pct(', 'stddev(', 'earliest(', 'latest(', 'sortsFirst(', 'sortsLast(',
  'ispresent(', 'isempty(', 'concat(', 'strlen(', 'toupper(', 'tolower(', 'substr(', 'replace(', 'abs(', 'ceil(', 'floor(', 'datefloor(', 'bin(',
  '5m', '1h', '0s', '1e309', '-1', '0', '3.5', '10000', '10001', '"REPORT"', "'x'", '"a * b *"', '"unterminated', '/error/', '/(?<n>\\d+)/', '/(a+)+$/',
  '/[/', '/(?<x>/', '#comment\n', '\n', '\u0000', '😀', '"' + 'q'.repeat(5000) + '"', '((((((((((', '))))))))))',
];

/** A query made of random pieces: most do not compile, some do and run. */
export function randomQuery(r: Rng): string {
  if (r() < 0.1) return pick(r, ['filter @type = "REPORT" | stats avg(@duration), pct(@duration, 95) by bin(5m)', 'fields @timestamp, @message | sort @timestamp desc | limit 20', 'stats count(*) by @logStream', '(' .repeat(20_000), 'not '.repeat(20_000) + 'x', '-'.repeat(20_000) + '1']);
  return Array.from({ length: int(r, 1, 30) }, () => pick(r, QUERY_PIECES)).join(r() < 0.8 ? ' ' : '');
}

function insightsBody(r: Rng): Buffer {
  const now = Math.floor(Date.now() / 1000);
  return Buffer.from(JSON.stringify({
    logGroupName: pick(r, ['/aws/lambda/fz-echo', '/aws/lambda/nope', '']), startTime: pick(r, [0, now - 3600, now + 10, -1]), endTime: pick(r, [now + 60, 0, 1e12]),
    queryString: randomQuery(r), limit: pick(r, [undefined, 1, 10_000, 0, 10_001]),
  }));
}
/** PutLogEvents bodies near the valid shape (group /fz/put, stream fz exist): odd timestamps, messages, counts, orders. */
function putLogEventsBody(r: Rng): Buffer {
  const now = Date.now();
  const timestamp = () => pick(r, [now, now - 1, now - 15 * 86_400_000, now + 3 * 3_600_000, now - 2 * 86_400_000, 0, -1, 1.5, 2 ** 63, '1', null, undefined]);
  const count = pick(r, [0, 1, 3, 100, 10_001]);
  // An event over 256 KB only in small batches: a body past PutLogEvents' limit is refused unread (fuzz-cases' 7 MB kinds do that).
  const message = () => pick(r, ['x', '', '\u0000nul', '😀', '\ud800', count <= 3 ? 'm'.repeat(262_200) : 'm', 'line\nbreak', 1, null]);
  return Buffer.from(JSON.stringify({
    logGroupName: pick(r, ['/fz/put', '/fz/put', '/aws/lambda/fz-echo', '/nope', '', 'x'.repeat(600)]),
    logStreamName: pick(r, ['fz', 'fz', 'missing', '', 'a:b', '*']),
    logEvents: r() < 0.1 ? junk(r) : Array.from({ length: count }, () => ({ timestamp: timestamp(), message: message() })),
    ...(r() < 0.3 ? { sequenceToken: pick(r, ['1', '', 'x'.repeat(300)]) } : {}),
  }));
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'BREW'];
const TYPES = ['application/json', 'application/octet-stream', 'application/x-amz-json-1.1', 'text/plain', 'multipart/form-data; boundary=x', '', 'application/json; charset=utf-16'];

function junk(r: Rng, depth = 0): unknown {
  const roll = r();
  if (depth < 3 && roll < 0.15) return Object.fromEntries(Array.from({ length: int(r, 0, 4) }, () => [pick(r, FIELDS), junk(r, depth + 1)]));
  if (depth < 3 && roll < 0.25) return Array.from({ length: int(r, 0, 4) }, () => junk(r, depth + 1));
  if (roll < 0.3) return 'y'.repeat(int(r, 1000, 200_000));
  return pick(r, JUNK_VALUES);
}

function randomBytes(r: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

function fillPath(r: Rng, pattern: string): string {
  return pattern.replace(/\{(\w+)\}/g, () => {
    const name = pick(r, NAME_CHOICES);
    return /%|^$/.test(name) ? name : encodeURIComponent(name);
  });
}

// A zip as CreateFunction/UpdateFunctionCode carry it, or as PublishLayerVersion does (Content.ZipFile).
const zipped = (zip: Buffer, layer: boolean) => Buffer.from(JSON.stringify(layer ? { Content: { ZipFile: zip.toString('base64') }, CompatibleRuntimes: ['nodejs20.x'] } : {
  FunctionName: 'fz-zip', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::123456789012:role/x', Handler: 'index.handler', Code: { ZipFile: zip.toString('base64') }, ZipFile: zip.toString('base64'),
}));

/** The body of one malformed request, and what kind it is. */
function body(r: Rng, p: Payloads, allowHeavy: boolean): { kind: string; body?: Buffer } {
  const roll = r();
  if (roll < 0.08) return { kind: 'empty' };
  if (roll < 0.22) return { kind: 'random-bytes', body: randomBytes(r, int(r, 1, 4096)) };
  if (roll < 0.3) return { kind: 'bad-utf8', body: Buffer.concat([Buffer.from('{"FunctionName":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}')]) };
  if (roll < 0.55) return { kind: 'wrong-types', body: Buffer.from(JSON.stringify(Object.fromEntries(Array.from({ length: int(r, 1, 6) }, () => [pick(r, FIELDS), junk(r)])))) };
  if (roll < 0.62) return { kind: 'huge-string', body: Buffer.from(JSON.stringify({ [pick(r, FIELDS)]: 'z'.repeat(int(r, 100_000, 2_000_000)) })) };
  if (roll < 0.68) {
    const depth = int(r, 1000, 200_000);
    return { kind: 'deep-json', body: Buffer.from('['.repeat(depth) + ']'.repeat(depth)) };
  }
  if (roll < 0.72) return { kind: 'truncated-json', body: Buffer.from('{"FunctionName": "fz-echo", "Code": {"ZipFile": "UEsDB') };
  if (roll < 0.8) {
    const zip = pick(r, [p.bombLying, p.slip, p.slipLink, p.corrupt, p.bombHonest, p.manyEntries]);
    const kind = zip === p.bombLying || zip === p.bombHonest ? 'zip-bomb' : zip === p.slip || zip === p.slipLink ? 'zip-slip' : 'bad-zip';
    return { kind, body: zipped(zip, r() < 0.4) };
  }
  if (roll < 0.81 && allowHeavy) return { kind: '7mb', body: p.sevenMb };
  return { kind: 'json-junk', body: Buffer.from(JSON.stringify(junk(r))) };
}

/** One malformed request aimed at `route` (sometimes at no route at all). */
export function fuzzRequest(r: Rng, route: RouteSpec, p: Payloads, allowHeavy: boolean): FuzzRequest {
  let path = fillPath(r, route.pattern);
  // A body on a GET (or on a method the route does not have) is part of the fuzz too.
  const method = r() < 0.85 ? route.method : pick(r, METHODS);
  const roll = r();
  if (roll < 0.05) path += '/' + pick(r, ['x', '%', '..', '%ZZ', '%C3%BF', 'a'.repeat(5000)]);
  else if (roll < 0.08) path = path.replace(/\/[^/]*$/, '/unknown-' + int(r, 0, 1e6));
  else if (roll < 0.1) path = '/' + pick(r, ['', 'favicon.ico', '%00', '..%2f..%2fetc%2fpasswd', '2015-03-31', '2015-03-31/functions/fz-echo/invocations/extra']);
  if (r() < 0.5) {
    const q = Array.from({ length: int(r, 1, 4) }, () => `${pick(r, QUERY_KEYS)}=${pick(r, ['', '-1', '0', '99999999999999999999', '%FF', '%', 'abc', '$LATEST', 'x'.repeat(3000), '%E2%82'])}`);
    path += '?' + q.join('&');
  }
  const headers: Record<string, string> = {};
  const type = pick(r, TYPES);
  if (type) headers['content-type'] = type;
  if (route.pattern === '/' && r() < 0.3) {
    // Logs Insights queries that reach the parser and, when they compile, run.
    return { method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.StartQuery' }, body: insightsBody(r), kind: 'insights-query', protocolError: false };
  }
  if (route.pattern.endsWith('/debug') && r() < 0.3) {
    // A well-formed debug request, again and again (sometimes at a version): each starts or finds a
    // debug environment with a port on 127.0.0.1; at most one per function exists at a time.
    const name = pick(r, ['fz-echo', 'fz-echo:1', 'fz-stream', 'nope']);
    return { method: 'POST', path: `/lambkin/v1/functions/${encodeURIComponent(name)}/debug`, headers: { 'content-type': 'application/json' }, body: Buffer.from(pick(r, ['{}', ''])), kind: 'debug-request', protocolError: false };
  }
  if (route.pattern === '/' && r() < 0.2) {
    return { method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.PutLogEvents' }, body: putLogEventsBody(r), kind: 'put-log-events', protocolError: false };
  }
  if (route.pattern === '/' && r() < 0.9) headers['x-amz-target'] = `Logs_20140328.${pick(r, TARGETS)}`;
  if (r() < 0.3) headers['x-amz-invocation-type'] = pick(r, ['RequestResponse', 'Event', 'DryRun', 'Bogus', '']);
  if (r() < 0.2) headers['x-amz-log-type'] = pick(r, ['Tail', 'None', 'All']);
  if (r() < 0.2) headers['x-amz-client-context'] = pick(r, ['not-base64!!', Buffer.from('{"custom":').toString('base64'), Buffer.from('x'.repeat(4_000)).toString('base64')]);
  if (r() < 0.02) headers['x-oversized'] = 'h'.repeat(20_000);
  if (r() < 0.05) headers['x-amz-date'] = pick(r, ['', '2020', '99999999T999999Z']);
  if (r() < 0.05) headers.authorization = pick(r, ['AWS4-HMAC-SHA256 garbage', 'Basic eDp5', '']);
  const b = body(r, p, allowHeavy);
  const protocolError = method === 'BREW' || Object.values(headers).reduce((n, v) => n + v.length, 0) > 15_000;
  return { method, path, headers, body: b.body, kind: protocolError ? `${b.kind}, protocol error` : b.kind, protocolError };
}
