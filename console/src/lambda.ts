// Typed calls to the APIs the pages use.
import { call } from './api.js';
import type { ErrorTrendsView } from '../../src/wire.js';
import type { Deploy, Environment, NodeInfo, ErrorGroup, FunctionConfiguration, Invocation, LogLine, OverviewRow, Payload, Series, WindowName } from './types.js';

export async function listFunctions(signal?: AbortSignal): Promise<FunctionConfiguration[]> {
  const all: FunctionConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await call<{ Functions: FunctionConfiguration[]; NextMarker?: string }>('/2015-03-31/functions/', { query: { Marker: marker, MaxItems: 50 }, signal });
    all.push(...page.Functions);
    marker = page.NextMarker;
  } while (marker);
  return all;
}

export const getFunction = (name: string, signal?: AbortSignal) =>
  call<{ Configuration: FunctionConfiguration; Concurrency?: { ReservedConcurrentExecutions?: number }; Tags?: Record<string, string> }>(`/2015-03-31/functions/${encodeURIComponent(name)}`, { signal });

export const overview = (window: WindowName, signal?: AbortSignal) =>
  call<{ until: number; complete: boolean; functions: OverviewRow[] }>('/lambkin/v1/overview', { query: { window }, signal });

export const timeseries = (fn: string, window: WindowName, signal?: AbortSignal) =>
  call<Series>('/lambkin/v1/timeseries', { query: { function: fn, window }, signal });

export const environments = (fn: string | undefined, signal?: AbortSignal) =>
  call<{ environments: Environment[]; unanswered?: string[] }>('/lambkin/v1/environments', { query: { function: fn }, signal });

export const nodes = (signal?: AbortSignal) => call<{ nodes: NodeInfo[] }>('/lambkin/v1/nodes', { signal });

export const stopEnvironment = (id: string) => call<object>(`/lambkin/v1/environments/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const deploys = (fn: string, signal?: AbortSignal) => call<{ deploys: Deploy[] }>('/lambkin/v1/deploys', { query: { function: fn }, signal });

export interface InvocationFilter {
  readonly function?: string;
  readonly outcome?: string;
  readonly cold?: string;
  readonly minDurationMs?: string;
  readonly since?: string;
  readonly q?: string;
}

export const invocations = (f: InvocationFilter, cursor: string | undefined, limit: number, signal?: AbortSignal) =>
  call<{ invocations: Invocation[]; nextCursor?: string }>('/lambkin/v1/invocations', { query: { ...f, cursor, limit }, signal });

/** One invocation and a page of its log lines (up to 1,000 or 1 MB); `next`, passed as `after`, continues. */
export const invocation = (requestId: string, signal?: AbortSignal, after?: string) =>
  call<{ invocation: Invocation | null; events: LogLine[]; next?: string }>(`/lambkin/v1/invocations/${encodeURIComponent(requestId)}`, { query: { after }, signal });

export const payload = (requestId: string, signal?: AbortSignal) =>
  call<Payload>(`/lambkin/v1/invocations/${encodeURIComponent(requestId)}/payload`, { signal });

/** A page of error groups, most recently seen first; `nextCursor`, passed as `cursor`, continues. */
export const errors = (since: string, signal?: AbortSignal, cursor?: string) =>
  call<{ errors: ErrorGroup[]; nextCursor?: string }>('/lambkin/v1/errors', { query: { since, limit: 200, cursor }, signal });

export const errorTrends = (window: WindowName, signal?: AbortSignal) =>
  call<ErrorTrendsView>('/lambkin/v1/error-trends', { query: { window }, signal });
