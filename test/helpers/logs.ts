// Reading logs back in tests: through the CloudWatch Logs SDK (every page) and through lambkin's
// investigation API (plain fetch, as the console does).
import {
  paginateFilterLogEvents, type CloudWatchLogsClient, type FilterLogEventsCommandInput, type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import type { Lambkin } from './server.js';

/** Every event FilterLogEvents gives, following nextToken to the end. */
export async function filterAll(logs: CloudWatchLogsClient, input: FilterLogEventsCommandInput): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  for await (const page of paginateFilterLogEvents({ client: logs, pageSize: input.limit }, input)) events.push(...(page.events ?? []));
  return events;
}

export interface EventJson {
  eventId: string;
  timestamp: number;
  logStream: string;
  envId?: string;
  requestId?: string;
  level?: string;
  message: string;
}

export interface InvocationJson {
  requestId: string;
  functionName: string;
  envId?: string;
  logStream?: string;
  cold: boolean;
  initMs?: number;
  durationMs: number;
  outcome: string;
  errorType?: string;
  errorMessage?: string;
  maxMemoryUsedMb?: number;
}

/** GET on the investigation API; resolves with status and parsed body. */
export async function api<T>(lk: Lambkin, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(lk.url + path);
  return { status: res.status, body: (await res.json()) as T };
}

/** One invocation with all its log lines (GET /lambkin/v1/invocations/{id}). */
export async function invocationLog(lk: Lambkin, requestId: string): Promise<{ invocation: InvocationJson | null; events: EventJson[] }> {
  const { status, body } = await api<{ invocation: InvocationJson | null; events: EventJson[] }>(lk, `/lambkin/v1/invocations/${requestId}`);
  if (status !== 200) throw new Error(`GET invocation ${requestId}: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** Invoke with the payload as JSON; `tail` asks for X-Amz-Log-Type: Tail. */
export async function invokeJson(lambda: LambdaClient, name: string, event: unknown = {}, tail = false): Promise<InvokeCommandOutput & { requestId: string; body: unknown }> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), LogType: tail ? 'Tail' : 'None' }));
  const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
  return { ...out, requestId: out.$metadata.requestId!, body: text ? JSON.parse(text) : undefined };
}

export const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?Z';

/** Lambda's REPORT line, every field checked; `cold` decides whether Init Duration must be there. */
export function reportPattern(requestId: string, memoryMb: number, cold: boolean): RegExp {
  const init = cold ? '\\tInit Duration: \\d+\\.\\d{2} ms' : '';
  return new RegExp(
    `^REPORT RequestId: ${requestId}\\tDuration: (\\d+\\.\\d{2}) ms\\tBilled Duration: (\\d+) ms\\tMemory Size: ${memoryMb} MB` +
      `\\tMax Memory Used: (\\d+) MB${init}$`,
  );
}
