// What code the registry refers to, and how big a function's code is with its layers: the code
// store keeps every hash referencedShas() names, and a function's code and layers together must
// fit Lambda's 250 MB unzipped.
import { apiError } from '../errors.js';
import type { CodeStore } from './code-store.js';
import type { Layers } from './layers.js';
import type { Lifecycle } from './lifecycle.js';
import type { FunctionConfig, LayerRef } from './types.js';
import { unpackedSize } from './unpacked-size.js';

/** Every code hash a function, a version or a layer version uses, their layers' included. */
export function referencedShas(functions: readonly { codeSha256: string; config: FunctionConfig }[], lifecycle: Lifecycle, layers: Layers): Set<string> {
  const shas = new Set<string>(layers.codeShas());
  for (const f of functions) {
    shas.add(f.codeSha256);
    for (const l of f.config.layers ?? []) shas.add(l.codeSha256);
  }
  for (const sha of lifecycle.codeShas()) shas.add(sha);
  for (const sha of lifecycle.layerShas()) shas.add(sha);
  return shas;
}

/**
 * A function's code and layers, unpacked, must fit within `limit` together
 * (InvalidParameterValueException otherwise). Sizes are measured on disk once per hash.
 */
export async function checkUnpackedWithLayers(code: CodeStore, codeSha256: string, layers: readonly LayerRef[] | undefined, limit: number): Promise<void> {
  if (!layers || layers.length === 0) return;
  let total = await unpackedSize(code.dirPath(codeSha256));
  for (const layer of layers) {
    await code.ensureLocal(layer.codeSha256);
    total += await unpackedSize(code.dirPath(layer.codeSha256));
  }
  if (total > limit) {
    throw apiError('InvalidParameterValueException',
      `Function code combined with layers exceeds the maximum allowed size of ${limit} bytes: ` +
      `unzipped, they hold ${total} bytes. Use fewer or smaller layers, or a smaller package.`);
  }
}
