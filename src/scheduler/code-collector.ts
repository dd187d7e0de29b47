// Replaced and deleted code leaves the disk at once: when the registry says code may have become
// unreferenced, and again each time an environment stops (it may have been the last one running
// old code), the registry removes every code folder and zip that neither a function, a version nor
// a running environment uses. Environments are waited for because a sandbox shows the stored code
// folder itself at /var/task (bubblewrap binds it): removing it under them would empty it.
import type { Registry } from '../registry/registry.js';
import type { Scheduler } from './scheduler.js';

export function collectCodeWhenUnused(registry: Registry, scheduler: Scheduler, log: (line: string) => void): void {
  const collect = () => {
    try {
      registry.collectCode(scheduler.codeInUse());
    } catch (err) {
      // The disk refused (permissions, I/O): the next collection or the next start tries again.
      log(`lambkin: removing unused code failed: ${(err as Error)?.message ?? String(err)}`);
    }
  };
  registry.onCodeReleased(collect);
  scheduler.onEnvironmentStopped(collect);
}
