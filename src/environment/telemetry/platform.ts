// The Telemetry API's init events (platform.initRuntimeDone, platform.initReport), as Lambda
// shapes them; the invocation's own (runtimeDone, report) are made in invocation.ts.
import type { Telemetry } from './telemetry.js';

export function initEvents(telemetry: Telemetry, initializationType: string, status: 'success' | 'error', initMs: number, errorType?: string): void {
  const base = { initializationType, phase: 'init', status, ...(errorType ? { errorType } : {}) };
  telemetry.emit('platform', 'platform.initRuntimeDone', base);
  telemetry.emit('platform', 'platform.initReport', { ...base, metrics: { durationMs: Math.round(initMs * 1000) / 1000 } });
  telemetry.endInit();
}
