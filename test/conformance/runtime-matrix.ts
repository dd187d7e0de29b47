// The conformance suite's results, per runtime, for the README's runtime × feature table: each
// runtime's test file writes test-output/runtime-matrix/<key>.json; `npm run docs:runtimes`
// (scripts/runtime-matrix.js) turns them into the table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/server.js';
import type { CaseId, RuntimeTarget } from './runtime-targets.js';

export type Status = 'pass' | 'fail' | 'n/a' | 'skipped';

export const MATRIX_DIR = join(ROOT, 'test-output/runtime-matrix');

export class MatrixRecorder {
  private readonly cases: Partial<Record<CaseId, { status: Status; note?: string }>> = {};
  private readonly measured: Record<string, number> = {};

  constructor(private readonly target: RuntimeTarget) {}

  mark(id: CaseId, status: Status, note?: string): void {
    this.cases[id] = note ? { status, note } : { status };
  }

  /** A duration the suite observed (cold start of the probe), for the table's footnotes. */
  measure(name: string, ms: number): void {
    this.measured[name] = Math.round(ms);
  }

  write(extra: { unavailable?: string } = {}): void {
    mkdirSync(MATRIX_DIR, { recursive: true });
    const t = this.target;
    writeFileSync(join(MATRIX_DIR, `${t.key}.json`), JSON.stringify({
      key: t.key, label: t.label, runtime: t.runtime, writtenAt: new Date().toISOString(),
      ...extra, cases: this.cases, measured: this.measured,
    }, null, 2) + '\n');
  }
}
