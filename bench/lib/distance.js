// lambkin's distance to the client's floor (lib/floor.js: the same SDK client against a server
// that answers `{}` at once), and where each invoke's time went (lib/usage.js), as printed lines.
import { table } from './stats.js';

// Issue 17's targets: what lambkin may add to the floor.
export const TARGET_P50_MS = 0.15;
export const TARGET_IPS_RATIO = 0.9;

const sign = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;
const verdict = (ok) => (ok ? 'met' : 'missed');

/** t, floor: { p50, p99 (ms), ips (inv/s @32) }. */
export function distance(t, floor) {
  return { p50: t.p50 - floor.p50, p99: t.p99 - floor.p99, ips: t.ips / floor.ips };
}

export function distanceLine(label, t, floor) {
  const d = distance(t, floor);
  return `${label}: c1 p50 ${t.p50.toFixed(2)} ms = floor ${floor.p50.toFixed(2)} ${sign(d.p50)} ms (target ≤ +${TARGET_P50_MS}: ${verdict(d.p50 <= TARGET_P50_MS)}), ` +
    `p99 ${t.p99.toFixed(2)} = floor ${floor.p99.toFixed(2)} ${sign(d.p99)} ms; ` +
    `@32 ${Math.round(t.ips)} inv/s = ${d.ips.toFixed(2)}× the floor's ${Math.round(floor.ips)} (target ≥ ${TARGET_IPS_RATIO}×: ${verdict(d.ips >= TARGET_IPS_RATIO)})`;
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');

/** rows: [{ runtime, target, phase, usage: UsageTally.result() }]. */
export function usageTable(rows) {
  return table(
    ['runtime', 'target', 'load', 'server CPU µs/inv', 'db CPU µs/inv', 'env CPU µs/inv', 'client CPU µs/inv', 'ctx sw server/inv', 'ctx sw env/inv', 'ctx sw client/inv'],
    rows.map((r) => [r.runtime, r.target, r.phase, f0(r.usage.serverCpuUs), f0(r.usage.dbCpuUs), f0(r.usage.envCpuUs), f0(r.usage.clientCpuUs),
      f1(r.usage.serverCs), f1(r.usage.envCs), f1(r.usage.clientCs)]),
  );
}
