// LambkinClient: lambkin's Lambda-compatible REST API (docs/lambda-contracts.md §2) as typed methods.
// Requests and responses use Lambda's wire names; the client adds no semantics of its own.
import { credentialsFromEnv, signerFor, type Credentials, type Signer } from './sign.js';
import { Transport } from './transport.js';
import { InvestigationClient } from './investigate.js';
import { AsyncQueueClient } from './async.js';
import { LifecycleClient } from './lifecycle.js';
import { LayersClient } from './layers.js';
import { InsightsClient } from './insights.js';
import { listRuntimes, type RuntimeView } from './runtimes.js';
import { listEnvironments, listNodes, stopEnvironment, type EnvironmentList, type EnvironmentStopped, type NodeInfo } from './nodes.js';
import type {
  CreateFunctionInput,
  FunctionConfiguration,
  GetFunctionOutput,
  InvokeOptions,
  InvokeResult,
  ListFunctionsOutput,
  UpdateFunctionCodeOptions,
  UpdateFunctionConfigurationInput,
  WarmStatus,
  DebugSession,
} from './types.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9000';

export interface LambkinClientOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:9000. */
  readonly endpoint?: string;
  /** Defaults to LAMBKIN_ACCESS_KEY_ID / LAMBKIN_SECRET_ACCESS_KEY when both are set. */
  readonly credentials?: Credentials;
  /** Overrides how requests are signed (tests; other auth schemes). */
  readonly signer?: Signer;
  /** Send with this fetch rather than node:http (a browser; a custom dispatcher). */
  readonly fetch?: typeof globalThis.fetch;
}

const FUNCTIONS = '/2015-03-31/functions';

function fn(name: string, suffix = ''): string {
  return `${FUNCTIONS}/${encodeURIComponent(name)}${suffix}`;
}

export class LambkinClient {
  readonly endpoint: string;
  private readonly http: Transport;
  /** The investigation API: log events, invocation records, errors, statistics. */
  readonly investigate: InvestigationClient;
  /** The async queue: depth, dead letters, redrive. */
  readonly asyncQueue: AsyncQueueClient;
  /** Versions, aliases, concurrency, function URLs, layers. */
  readonly lifecycle: LifecycleClient;
  /** Layers: publish versions, list layers and versions. */
  readonly layers: LayersClient;
  /** Logs Insights queries (the CloudWatch Logs API). */
  readonly insights: InsightsClient;

  constructor(options: LambkinClientOptions = {}) {
    this.endpoint = options.endpoint ?? DEFAULT_ENDPOINT;
    const signer = options.signer ?? signerFor(options.credentials ?? credentialsFromEnv());
    this.http = new Transport({ endpoint: this.endpoint, signer, fetch: options.fetch });
    this.investigate = new InvestigationClient(this.http);
    this.asyncQueue = new AsyncQueueClient(this.http);
    this.lifecycle = new LifecycleClient(this.http);
    this.layers = new LayersClient(this.http);
    this.insights = new InsightsClient(this.http);
  }

  createFunction(input: CreateFunctionInput): Promise<FunctionConfiguration> {
    const { ZipFile, ...rest } = input;
    return this.http.json('POST', FUNCTIONS, { ...rest, Code: { ZipFile: Buffer.from(ZipFile).toString('base64') } });
  }

  getFunction(name: string, qualifier?: string): Promise<GetFunctionOutput> {
    return this.http.json('GET', fn(name), undefined, { Qualifier: qualifier });
  }

  getFunctionConfiguration(name: string, qualifier?: string): Promise<FunctionConfiguration> {
    return this.http.json('GET', fn(name, '/configuration'), undefined, { Qualifier: qualifier });
  }

  /** The runtimes the server knows: installed, missing (with what to install) or unavailable (with why). */
  listRuntimes(): Promise<readonly RuntimeView[]> {
    return listRuntimes(this.http);
  }

  /** The nodes of the server's cluster, each as the server last heard of it (itself alone when it is not one). */
  listNodes(): Promise<readonly NodeInfo[]> {
    return listNodes(this.http);
  }

  /** The execution environments now (of one function when named), on every node of a cluster. */
  listEnvironments(functionName?: string): Promise<EnvironmentList> {
    return listEnvironments(this.http, functionName);
  }

  /** Stop one execution environment, on whichever node of a cluster runs it. */
  stopEnvironment(id: string): Promise<EnvironmentStopped> {
    return stopEnvironment(this.http, id);
  }

  /** One page. Pass the previous page's NextMarker as `marker` for the next one. */
  listFunctions(page: { marker?: string; maxItems?: number } = {}): Promise<ListFunctionsOutput> {
    return this.http.json('GET', `${FUNCTIONS}/`, undefined, {
      Marker: page.marker,
      MaxItems: page.maxItems === undefined ? undefined : String(page.maxItems),
    });
  }

  /** Every function, fetching pages as the loop goes: `for await (const f of client.listAllFunctions())`. */
  async *listAllFunctions(pageSize?: number): AsyncGenerator<FunctionConfiguration, void, undefined> {
    let marker: string | undefined;
    do {
      const page = await this.listFunctions({ marker, maxItems: pageSize });
      yield* page.Functions ?? [];
      marker = page.NextMarker || undefined;
    } while (marker !== undefined);
  }

  /** The stored zip of the function (or of one of its versions), from where GetFunction's Code.Location points. */
  async downloadCode(name: string, qualifier?: string): Promise<Buffer> {
    return (await this.http.send('GET', fn(name, '/code-download'), { query: { Qualifier: qualifier } })).body;
  }

  updateFunctionCode(name: string, zip: Uint8Array, options: UpdateFunctionCodeOptions = {}): Promise<FunctionConfiguration> {
    return this.http.json('PUT', fn(name, '/code'), {
      ZipFile: Buffer.from(zip).toString('base64'),
      Publish: options.publish,
      RevisionId: options.revisionId,
    });
  }

  updateFunctionConfiguration(name: string, input: UpdateFunctionConfigurationInput): Promise<FunctionConfiguration> {
    return this.http.json('PUT', fn(name, '/configuration'), input);
  }

  /**
   * lambkin's own: keep `count` environments of $LATEST initialised (0: none), as provisioned
   * concurrency does for a version, so that unqualified invokes find them warm.
   */
  putWarm(name: string, count: number): Promise<WarmStatus> {
    return this.http.json('PUT', `/lambkin/v1/functions/${encodeURIComponent(name)}/warm`, { count });
  }

  getWarm(name: string): Promise<WarmStatus> {
    return this.http.json('GET', `/lambkin/v1/functions/${encodeURIComponent(name)}/warm`);
  }

  /**
   * lambkin's own: start the function's next environment with its runtime's debugger (on the
   * server's 127.0.0.1); the next invocation runs there, the only one it serves.
   */
  debug(name: string, qualifier?: string): Promise<DebugSession> {
    return this.http.json('POST', `/lambkin/v1/functions/${encodeURIComponent(name)}/debug`, {}, { Qualifier: qualifier });
  }

  async deleteFunction(name: string, qualifier?: string): Promise<void> {
    await this.http.send('DELETE', fn(name), { query: { Qualifier: qualifier } });
  }

  /** Invoke with the payload bytes as given (send JSON). A function error is a result, not a throw. */
  async invoke(name: string, payload: Uint8Array = new Uint8Array(0), options: InvokeOptions = {}): Promise<InvokeResult> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (options.invocationType) headers['x-amz-invocation-type'] = options.invocationType;
    if (options.logType) headers['x-amz-log-type'] = options.logType;
    if (options.clientContext) headers['x-amz-client-context'] = options.clientContext;
    const res = await this.http.send('POST', fn(name, '/invocations'), {
      query: { Qualifier: options.qualifier },
      headers,
      body: payload,
    });
    const logResult = res.headers.get('x-amz-log-result') ?? undefined;
    return {
      statusCode: res.status,
      payload: res.body,
      functionError: res.headers.get('x-amz-function-error') ?? undefined,
      executedVersion: res.headers.get('x-amz-executed-version') ?? undefined,
      requestId: res.headers.get('x-amzn-requestid') ?? undefined,
      logResult,
      log: logResult === undefined ? undefined : Buffer.from(logResult, 'base64').toString('utf8'),
    };
  }
}
