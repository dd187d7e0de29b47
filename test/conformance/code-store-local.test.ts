// The CodeStore conformance suite against the local store (zips and folders in the data folder).
import { LocalCodeStore } from '../../src/registry/local/code-store.js';
import { codeStoreConformance } from './code-store-cases.js';

codeStoreConformance({
  name: 'local',
  shared: false,
  fresh: async () => ({ open: async (root) => new LocalCodeStore(root), cleanup: async () => {} }),
});
