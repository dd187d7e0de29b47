// Runtimes lambkin knows by name but cannot run on this kind of machine. They are listed (so that
// `lambkin runtimes` and CreateFunction say why and what to do instead), never started.
import type { RuntimeSpec } from './catalogue.js';

const DOTNET_REASON =
  '.NET is not packaged for Debian 12 (Microsoft ships it from its own repository, which this server cannot reach). ' +
  'Publish the function self-contained for linux-x64 with a `bootstrap` executable and deploy it as provided.al2023';

export const DOTNET: RuntimeSpec = {
  ids: ['dotnet6', 'dotnet8'],
  family: 'dotnet',
  name: '.NET',
  unavailable: DOTNET_REASON,
  launch: () => {
    throw new Error(DOTNET_REASON);
  },
  missing: () => DOTNET_REASON,
};
