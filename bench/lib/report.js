// The printed table: one row per figure and runtime, lambkin's ratios to serverless-offline, and
// lambkin on PostgreSQL beside lambkin on SQLite (both namespace) where it was measured.
import { table } from './stats.js';

const COLS = ['lambkin-namespace', 'lambkin-process', 'lambkin-pg', 'sls', 'sls-inprocess', 'floor'];
const fmt = (x) => (x == null || !Number.isFinite(x) ? '-' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));
const ratio = (a, b) => (a == null || b == null || !b ? '-' : `${(a / b).toFixed(2)}×`);

export function report(results) {
  const rows = [];
  for (const [rt, figures] of Object.entries(results.figures)) {
    for (const [figure, v] of Object.entries(figures)) {
      rows.push([rt.replace(/\d.*$/, ''), figure, ...COLS.map((c) => fmt(v[c])), ratio(v['lambkin-namespace'], v.sls), ratio(v['lambkin-process'], v.sls), ratio(v['lambkin-namespace'], v['sls-inprocess']), ratio(v['lambkin-pg'], v['lambkin-namespace'])]);
    }
  }
  return table(['runtime', 'figure', 'lambkin ns', 'lambkin proc', 'lambkin pg', 'sls-offline', 'sls inproc', 'floor', 'ns/sls', 'proc/sls', 'ns/inproc', 'pg/ns'], rows);
}
