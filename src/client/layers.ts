// Lambda's layer operations (/2018-10-31/layers) as typed methods: publish a version, list layers
// and a layer's versions.
import type { Transport } from './transport.js';

export interface LayerVersionView {
  readonly LayerVersionArn: string;
  readonly Version: number;
  readonly Description?: string;
  readonly CreatedDate?: string;
  readonly CompatibleRuntimes?: readonly string[];
  readonly CompatibleArchitectures?: readonly string[];
  readonly LicenseInfo?: string;
}

export interface PublishedLayerVersion extends LayerVersionView {
  readonly LayerArn: string;
  readonly Content: { readonly CodeSha256: string; readonly CodeSize: number; readonly Location?: string };
}

export interface LayerView {
  readonly LayerName: string;
  readonly LayerArn: string;
  readonly LatestMatchingVersion?: LayerVersionView;
}

export interface PublishLayerInput {
  readonly LayerName: string;
  /** The zip; the client base64-encodes it. */
  readonly ZipFile: Uint8Array;
  readonly Description?: string;
  readonly CompatibleRuntimes?: readonly string[];
  readonly CompatibleArchitectures?: readonly string[];
  readonly LicenseInfo?: string;
}

const BASE = '/2018-10-31/layers';

export class LayersClient {
  constructor(private readonly http: Transport) {}

  publish(input: PublishLayerInput): Promise<PublishedLayerVersion> {
    const { LayerName, ZipFile, ...rest } = input;
    return this.http.json('POST', `${BASE}/${encodeURIComponent(LayerName)}/versions`, { ...rest, Content: { ZipFile: Buffer.from(ZipFile).toString('base64') } });
  }

  get(name: string, version: number): Promise<PublishedLayerVersion> {
    return this.http.json('GET', `${BASE}/${encodeURIComponent(name)}/versions/${version}`);
  }

  /** Every layer with its latest version (all pages). */
  async list(): Promise<LayerView[]> {
    const layers: LayerView[] = [];
    let marker: string | undefined;
    do {
      const page = await this.http.json<{ Layers?: LayerView[]; NextMarker?: string }>('GET', BASE, undefined, { Marker: marker });
      layers.push(...(page.Layers ?? []));
      marker = page.NextMarker || undefined;
    } while (marker !== undefined);
    return layers;
  }

  /** A layer's versions, newest first (all pages). */
  async versions(name: string): Promise<LayerVersionView[]> {
    const versions: LayerVersionView[] = [];
    let marker: string | undefined;
    do {
      const page = await this.http.json<{ LayerVersions?: LayerVersionView[]; NextMarker?: string }>(
        'GET', `${BASE}/${encodeURIComponent(name)}/versions`, undefined, { Marker: marker });
      versions.push(...(page.LayerVersions ?? []));
      marker = page.NextMarker || undefined;
    } while (marker !== undefined);
    return versions;
  }
}
