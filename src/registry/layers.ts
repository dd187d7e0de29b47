// Layers: named, numbered zips that functions merge at /opt. A layer version is immutable but for
// its permission policy; deleting it stops new functions from naming it, while functions that
// already use it keep its code (their configuration holds the code hash: registry.ts keeps that
// code alive). Held in memory like the rest of the registry (loaded at open, replaced on each
// write), since functions resolve their layers at create and update.
import { randomUUID } from 'node:crypto';
import { apiError } from '../errors.js';
import { layerArn, parseLayerVersionArn } from './arn.js';
import type { CodeStore } from './code-store.js';
import type { LayerVersionRow, PolicyStatement, RegistryStore, ResourcePolicy } from './store.js';
import type { LayerRef } from './types.js';

export interface LayerInput {
  readonly description: string;
  readonly compatibleRuntimes: readonly string[];
  readonly compatibleArchitectures: readonly string[];
  readonly licenseInfo?: string;
}

export type LayerVersion = Readonly<LayerVersionRow>;

export class Layers {
  private readonly byName = new Map<string, Map<number, LayerVersion>>();

  constructor(private readonly store: RegistryStore, rows: readonly LayerVersionRow[], private readonly code: CodeStore) {
    this.replace(rows);
  }

  /** Hold exactly `rows` (at open, and at a cluster node's reload). */
  replace(rows: readonly LayerVersionRow[]): void {
    this.byName.clear();
    for (const row of rows) this.remember(row);
  }

  /** Every code hash a layer version uses (the code store keeps them). */
  codeShas(): string[] {
    return [...this.byName.values()].flatMap((m) => [...m.values()].map((v) => v.codeSha256));
  }

  get(name: string, version: number): LayerVersion | undefined {
    return this.byName.get(name)?.get(version);
  }

  /** A layer's versions, newest first (as ListLayerVersions answers). */
  versionsOf(name: string): LayerVersion[] {
    return [...(this.byName.get(name)?.values() ?? [])].sort((a, b) => b.version - a.version);
  }

  /** The stored zip of a layer version (GetLayerVersion's Content.Location). */
  async zip(name: string, version: number): Promise<Buffer> {
    const layer = this.get(name, version);
    if (!layer) throw layerVersionNotFound(name, version);
    const zip = await this.code.zip(layer.codeSha256);
    if (!zip) throw apiError('ServiceException', `The code of layer ${name}:${version} is missing from ${this.code.where}.`);
    return zip;
  }

  /** Names of the layers that have at least one version, in byte order. */
  names(): string[] {
    return [...this.byName.keys()].filter((n) => this.byName.get(n)!.size > 0).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Store a version of `name` whose zip is stored already (registry.ts puts it first). */
  async publish(name: string, input: LayerInput, code: { sha256: string; size: number }, createdDate: string): Promise<LayerVersion> {
    const row = await this.store.publishLayerVersion(name, (version) => ({
      layer: name, version, description: input.description, createdDate, codeSha256: code.sha256, codeSize: code.size,
      compatibleRuntimes: [...input.compatibleRuntimes], compatibleArchitectures: [...input.compatibleArchitectures],
      ...(input.licenseInfo !== undefined ? { licenseInfo: input.licenseInfo } : {}),
    }));
    return this.remember(row);
  }

  /** Delete one version; deleting one that does not exist succeeds, as on Lambda. */
  async delete(name: string, version: number): Promise<boolean> {
    const deleted = await this.store.deleteLayerVersion(name, version);
    this.byName.get(name)?.delete(version);
    return deleted;
  }

  /** The layers a function names, in its order, as references that keep their code. */
  resolve(arns: readonly string[]): LayerRef[] {
    const refs = arns.map((arn) => {
      const parsed = parseLayerVersionArn(arn);
      const found = parsed && this.get(parsed.name, parsed.version);
      if (!found) throw apiError('InvalidParameterValueException', `Layer version ${arn} does not exist.`);
      return { arn: layerArn(found.layer, found.version), codeSha256: found.codeSha256, codeSize: found.codeSize };
    });
    const seen = new Set<string>();
    for (const ref of refs) {
      const layer = ref.arn.slice(0, ref.arn.lastIndexOf(':'));
      if (seen.has(layer)) throw apiError('InvalidParameterValueException', `Two versions of the same layer ${layer} are not allowed.`);
      seen.add(layer);
    }
    return refs;
  }

  /** Add a statement to a version's policy (a Sid already there: ResourceConflictException). */
  addStatement(name: string, version: number, statement: PolicyStatement, revisionId?: string): Promise<ResourcePolicy> {
    return this.changePolicy(name, version, revisionId, (current) => {
      if (current.some((s) => s.Sid === statement.Sid)) {
        throw apiError('ResourceConflictException', `The statement id (${statement.Sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
      }
      return [...current, statement];
    });
  }

  removeStatement(name: string, version: number, sid: string, revisionId?: string): Promise<ResourcePolicy> {
    return this.changePolicy(name, version, revisionId, (current) => {
      if (!current.some((s) => s.Sid === sid)) throw apiError('ResourceNotFoundException', `Statement ${sid} is not found in resource policy.`);
      return current.filter((s) => s.Sid !== sid);
    });
  }

  private async changePolicy(
    name: string, version: number, revisionId: string | undefined,
    change: (current: readonly PolicyStatement[]) => PolicyStatement[],
  ): Promise<ResourcePolicy> {
    const row = await this.store.updateLayerVersion(name, version, (current) => {
      if (revisionId !== undefined && revisionId !== current.policy?.revisionId) {
        throw apiError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetLayerVersionPolicy API to retrieve the latest Revision Id');
      }
      return { ...current, policy: { statements: change(current.policy?.statements ?? []), revisionId: randomUUID() } };
    });
    if (!row) throw layerVersionNotFound(name, version);
    return this.remember(row).policy!;
  }

  private remember(row: LayerVersionRow): LayerVersion {
    const frozen = Object.freeze({ ...row });
    let versions = this.byName.get(row.layer);
    if (!versions) this.byName.set(row.layer, (versions = new Map()));
    versions.set(row.version, frozen);
    return frozen;
  }
}

export function layerVersionNotFound(name: string, version: number): Error {
  return apiError('ResourceNotFoundException', `Layer version ${layerArn(name, version)} does not exist.`);
}
