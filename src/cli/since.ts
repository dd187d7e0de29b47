// Times on the command line: `10m`, `2h`, `7d`, `30s`, `1w` ago, or an ISO 8601 time.
import { UsageError } from './output.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseSince(value: string, option = '--since', now = Date.now()): number {
  const rel = /^(\d+)([smhdw])$/.exec(value.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`${option} ${value}: expected a duration such as 10m, 2h, 7d, or an ISO time such as 2026-11-27T10:00:00Z`);
  return t;
}
