// Logs Insights over the CloudWatch Logs API (`POST /`, X-Amz-Target Logs_20140328.<Operation>):
// start a query, poll its results, stop it. The wire names are CloudWatch's.
import type { Transport } from './transport.js';

export type QueryStatusName = 'Scheduled' | 'Running' | 'Complete' | 'Failed' | 'Cancelled' | 'Timeout' | 'Unknown';

export interface StartQueryInput {
  readonly logGroupNames: readonly string[];
  /** Epoch seconds, both ends included. */
  readonly startTime: number;
  readonly endTime: number;
  readonly queryString: string;
  readonly limit?: number;
}

export interface QueryResultsView {
  readonly status: QueryStatusName;
  readonly results: { readonly field: string; readonly value: string }[][];
  readonly statistics: { readonly recordsMatched: number; readonly recordsScanned: number; readonly bytesScanned: number };
  /** lambkin's own: why a Failed query failed. */
  readonly failureReason?: string;
}

export class InsightsClient {
  constructor(private readonly http: Transport) {}

  async startQuery(input: StartQueryInput): Promise<string> {
    return (await this.call<{ queryId: string }>('StartQuery', input)).queryId;
  }

  getQueryResults(queryId: string): Promise<QueryResultsView> {
    return this.call('GetQueryResults', { queryId });
  }

  async stopQuery(queryId: string): Promise<boolean> {
    return (await this.call<{ success: boolean }>('StopQuery', { queryId })).success;
  }

  private async call<T>(operation: string, body: object): Promise<T> {
    const res = await this.http.send('POST', '/', {
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${operation}` },
      body: Buffer.from(JSON.stringify(body)),
    });
    return JSON.parse(res.body.toString('utf8')) as T;
  }
}
