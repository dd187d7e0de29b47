// The CloudWatch Logs JSON API (awsJson1_1) on lambkin's own port: `POST /` with
// `X-Amz-Target: Logs_20140328.<Operation>`. One file per operation; this one dispatches.
import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_MAX_BODY, type ApiRequest, type ApiResponse, type Route } from '../http.js';
import type { LogReader } from '../../logs/index.js';
import type { Arns } from '../../registry/index.js';
import { JSON_1_1, LogsError, logsErrorResponse } from './errors.js';
import { deleteLogGroup } from './delete-log-group.js';
import { deleteRetentionPolicy } from './delete-retention-policy.js';
import { describeLogGroups } from './describe-log-groups.js';
import { describeLogStreams } from './describe-log-streams.js';
import { filterLogEvents } from './filter-log-events.js';
import { getLogEvents } from './get-log-events.js';
import { putRetentionPolicy } from './put-retention-policy.js';
import { InsightsQueries } from '../../logs/insights/index.js';
import { startQuery } from './insights/start-query.js';
import { getQueryResults } from './insights/get-query-results.js';
import { stopQuery } from './insights/stop-query.js';
import { describeQueries } from './insights/describe-queries.js';
import { answerPeers, clusterListing, forwarded } from './insights/peers.js';
import type { PeerCalls } from '../../cluster/peer-calls.js';
import { getLogGroupFields } from './insights/get-log-group-fields.js';
import { createLogGroup } from './create-log-group.js';
import { createLogStream, deleteLogStream } from './log-streams.js';
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, putLogEvents } from './put-log-events.js';
import { tagOperations } from './tags.js';
import type { LiveTailHub } from './live-tail-hub.js';
import { StreamOutput, startLiveTail } from './start-live-tail.js';
import type { SubscriptionDelivery } from './subscription-delivery.js';
import { subscriptionFilterOperations } from './subscription-filters.js';
import { EVENT_STREAM_TYPE } from '../streaming/event-stream.js';

export interface LogsApiDeps {
  readonly store: LogReader;
  readonly log: (line: string) => void;
  /** StartLiveTail's sessions; the server ends them when it closes. */
  readonly liveTail: LiveTailHub;
  /** Delivers subscription filters' matches; told when filters change. */
  readonly subscriptions: SubscriptionDelivery;
  readonly functionExists: (name: string) => boolean;
  /** The ARNs of the log groups, in the server's region (the registry's). */
  readonly arns: Arns;
  /** On a cluster node: the other nodes, asked about the Insights queries they hold. */
  readonly peers?: PeerCalls;
}

/** An operation: the request body (bytes) in, the response object out (undefined = empty; a StreamOutput: a stream). */
export type LogsOperation = (body: Buffer) => Promise<object | undefined> | object | undefined;

const TARGET_PREFIX = 'Logs_20140328.';

export function logsRoutes(deps: LogsApiDeps): Route[] {
  // Logs Insights queries run in the background, bounded (logs/insights/queries.ts).
  const queries = new InsightsQueries(deps.store, undefined, deps.log);
  // On a cluster, a query is held by the node that started it; the others ask it (insights/peers.ts).
  const local = { GetQueryResults: getQueryResults(queries), StopQuery: stopQuery(queries) };
  if (deps.peers) answerPeers(deps.peers, queries, local);
  const operations: Record<string, LogsOperation> = {
    DescribeLogGroups: describeLogGroups(deps.store, deps.arns),
    DescribeLogStreams: describeLogStreams(deps.store, deps.arns),
    GetLogEvents: getLogEvents(deps.store),
    FilterLogEvents: filterLogEvents(deps.store),
    PutRetentionPolicy: putRetentionPolicy(deps.store),
    DeleteRetentionPolicy: deleteRetentionPolicy(deps.store),
    DeleteLogGroup: deleteLogGroup(deps.store),
    CreateLogGroup: createLogGroup(deps.store),
    CreateLogStream: createLogStream(deps.store),
    DeleteLogStream: deleteLogStream(deps.store),
    PutLogEvents: putLogEvents(deps.store),
    ...tagOperations(deps.store),
    StartQuery: startQuery(deps.store, queries),
    GetQueryResults: forwarded(deps.peers, 'GetQueryResults', local.GetQueryResults),
    StopQuery: forwarded(deps.peers, 'StopQuery', local.StopQuery),
    DescribeQueries: describeQueries(() => clusterListing(deps.peers, queries)),
    GetLogGroupFields: getLogGroupFields(deps.store),
    StartLiveTail: startLiveTail(deps.store, deps.liveTail),
    ...subscriptionFilterOperations({ store: deps.store, delivery: deps.subscriptions, functionExists: deps.functionExists }),
  };
  return [{ method: 'POST', pattern: '/', operation: (req) => dispatch(operations, req, deps.log), maxBody: bodyLimit }];
}

/**
 * PutLogEvents carries up to 1 MB of messages, which JSON escaping can make up to six times as
 * long (a control character is \u0001), plus ~60 bytes of JSON per event for 10,000 events; every
 * other operation's input is small.
 */
const PUT_LOG_EVENTS_MAX_BODY = 6 * MAX_BATCH_BYTES + 60 * MAX_BATCH_EVENTS + 64 * 1024;

function bodyLimit(headers: IncomingHttpHeaders): number {
  return headers['x-amz-target'] === `${TARGET_PREFIX}PutLogEvents` ? PUT_LOG_EVENTS_MAX_BODY : DEFAULT_MAX_BODY;
}

async function dispatch(operations: Record<string, LogsOperation>, req: ApiRequest, log: (line: string) => void): Promise<ApiResponse> {
  try {
    const raw = req.headers['x-amz-target'];
    const target = Array.isArray(raw) ? raw[0] : raw;
    if (!target) throw new LogsError('UnknownOperationException', 'POST / needs an X-Amz-Target header, e.g. Logs_20140328.DescribeLogGroups.');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    const operation = name === undefined ? undefined : Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (!operation) throw new LogsError('UnknownOperationException', `lambkin does not implement the operation ${target}.`);
    const output = await operation(req.body);
    if (output instanceof StreamOutput) return { status: 200, headers: { 'content-type': EVENT_STREAM_TYPE }, stream: output.stream };
    return { status: 200, headers: { 'content-type': JSON_1_1 }, body: output === undefined ? '' : JSON.stringify(output) };
  } catch (err) {
    return logsErrorResponse(err, req.requestId, log);
  }
}
