// The Lambda API's operations around a function (docs/lambda-contracts.md §2): versions, aliases, reserved and
// provisioned concurrency, function URLs, and layers (PublishLayerVersion, which older servers do
// not have: `layersSupported` tells). Wire names as on the wire; no semantics of the client's own.
import { isApiError } from './errors.js';
import type { Transport } from './transport.js';
import type { FunctionConfiguration } from './types.js';
import type { FunctionUrlCors } from '../wire.js';

export interface AliasConfiguration {
  readonly AliasArn: string;
  readonly Name: string;
  readonly FunctionVersion: string;
  readonly Description?: string;
  readonly RevisionId?: string;
}

/** A function URL's Cors configuration: the server's own definition (src/wire.ts). */
export type UrlCors = FunctionUrlCors;

export interface FunctionUrlConfig {
  readonly FunctionUrl: string;
  readonly FunctionArn: string;
  readonly AuthType: 'NONE' | 'AWS_IAM';
  readonly Cors?: UrlCors;
}

export interface ProvisionedConcurrencyView {
  readonly RequestedProvisionedConcurrentExecutions?: number;
  readonly Status?: string;
}

export interface PublishLayerVersionInput {
  readonly ZipFile: Uint8Array;
  readonly Description?: string;
  readonly CompatibleRuntimes?: readonly string[];
  readonly LicenseInfo?: string;
}

export interface LayerVersionRef {
  readonly LayerVersionArn: string;
  readonly Version: number;
}

const F = (name: string) => `/2015-03-31/functions/${encodeURIComponent(name)}`;
const LAYERS = '/2018-10-31/layers';

/** The answer of a server that has no route for the call (an older lambkin, before layers). */
export function isUnknownOperation(err: unknown): boolean {
  if (!isApiError(err)) return false;
  if (err.status === 501 || err.name === 'UnknownOperationException' || err.name === 'NotImplementedException') return true;
  return err.status === 404 && /No lambkin API route/.test(err.message);
}

export class LifecycleClient {
  constructor(private readonly http: Transport) {}

  publishVersion(name: string, description?: string): Promise<FunctionConfiguration> {
    return this.http.json('POST', `${F(name)}/versions`, { Description: description });
  }

  /** Every version number of the function (without $LATEST). */
  async listVersions(name: string): Promise<string[]> {
    const out: string[] = [];
    let marker: string | undefined;
    do {
      const page = await this.http.json<{ Versions?: FunctionConfiguration[]; NextMarker?: string }>(
        'GET', `${F(name)}/versions`, undefined, { Marker: marker, MaxItems: '50' },
      );
      for (const v of page.Versions ?? []) if (v.Version !== '$LATEST') out.push(v.Version);
      marker = page.NextMarker || undefined;
    } while (marker !== undefined);
    return out;
  }

  async deleteVersion(name: string, version: string): Promise<void> {
    await this.http.send('DELETE', F(name), { query: { Qualifier: version } });
  }

  getAlias(name: string, alias: string): Promise<AliasConfiguration> {
    return this.http.json('GET', `${F(name)}/aliases/${encodeURIComponent(alias)}`);
  }

  createAlias(name: string, alias: string, version: string): Promise<AliasConfiguration> {
    return this.http.json('POST', `${F(name)}/aliases`, { Name: alias, FunctionVersion: version });
  }

  updateAlias(name: string, alias: string, version: string): Promise<AliasConfiguration> {
    return this.http.json('PUT', `${F(name)}/aliases/${encodeURIComponent(alias)}`, { FunctionVersion: version });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.http.send('DELETE', `${F(name)}/aliases/${encodeURIComponent(alias)}`);
  }

  async getReservedConcurrency(name: string): Promise<number | undefined> {
    const out = await this.http.json<{ ReservedConcurrentExecutions?: number }>(
      'GET', `/2019-09-30/functions/${encodeURIComponent(name)}/concurrency`,
    );
    return out?.ReservedConcurrentExecutions;
  }

  async putReservedConcurrency(name: string, count: number): Promise<void> {
    await this.http.json('PUT', `/2017-10-31/functions/${encodeURIComponent(name)}/concurrency`, { ReservedConcurrentExecutions: count });
  }

  async deleteReservedConcurrency(name: string): Promise<void> {
    await this.http.send('DELETE', `/2017-10-31/functions/${encodeURIComponent(name)}/concurrency`);
  }

  private pcPath(name: string): string {
    return `/2019-09-30/functions/${encodeURIComponent(name)}/provisioned-concurrency`;
  }

  getProvisionedConcurrency(name: string, qualifier: string): Promise<ProvisionedConcurrencyView> {
    return this.http.json('GET', this.pcPath(name), undefined, { Qualifier: qualifier });
  }

  async putProvisionedConcurrency(name: string, qualifier: string, count: number): Promise<void> {
    await this.http.json('PUT', this.pcPath(name), { ProvisionedConcurrentExecutions: count }, { Qualifier: qualifier });
  }

  async deleteProvisionedConcurrency(name: string, qualifier: string): Promise<void> {
    await this.http.send('DELETE', this.pcPath(name), { query: { Qualifier: qualifier } });
  }

  private urlPath(name: string): string {
    return `/2021-10-31/functions/${encodeURIComponent(name)}/url`;
  }

  getUrlConfig(name: string, qualifier?: string): Promise<FunctionUrlConfig> {
    return this.http.json('GET', this.urlPath(name), undefined, { Qualifier: qualifier });
  }

  createUrlConfig(name: string, qualifier: string | undefined, authType: 'NONE' | 'AWS_IAM', cors?: UrlCors): Promise<FunctionUrlConfig> {
    return this.http.json('POST', this.urlPath(name), { AuthType: authType, Cors: cors }, { Qualifier: qualifier });
  }

  updateUrlConfig(name: string, qualifier: string | undefined, authType: 'NONE' | 'AWS_IAM', cors?: UrlCors): Promise<FunctionUrlConfig> {
    return this.http.json('PUT', this.urlPath(name), { AuthType: authType, Cors: cors ?? {} }, { Qualifier: qualifier });
  }

  async deleteUrlConfig(name: string, qualifier?: string): Promise<void> {
    await this.http.send('DELETE', this.urlPath(name), { query: { Qualifier: qualifier } });
  }

  /** Throws an error for which isUnknownOperation() is true when the server has no layers. */
  publishLayerVersion(layerName: string, input: PublishLayerVersionInput): Promise<LayerVersionRef> {
    const { ZipFile, ...rest } = input;
    return this.http.json('POST', `${LAYERS}/${encodeURIComponent(layerName)}/versions`, {
      ...rest, Content: { ZipFile: Buffer.from(ZipFile).toString('base64') },
    });
  }

  async deleteLayerVersion(layerName: string, version: number): Promise<void> {
    await this.http.send('DELETE', `${LAYERS}/${encodeURIComponent(layerName)}/versions/${version}`);
  }

  /** Whether the server serves layers at all (ListLayers answers), without changing anything. */
  async layersSupported(): Promise<boolean> {
    try {
      await this.http.json('GET', LAYERS);
      return true;
    } catch (err) {
      if (isUnknownOperation(err)) return false;
      throw err;
    }
  }
}
