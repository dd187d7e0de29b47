// The error registry, the code and docs/errors.md agree: every error the code can produce is in
// the registry, and each table of docs/errors.md names exactly the registry's errors of that API,
// with the same statuses and kinds.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_ERRORS, CLI_EXIT_CODES, FUNCTION_ERRORS, LOGS_ERRORS, RUNTIME_API_ERRORS, type ErrorSpec } from '../../src/errors.js';

const ROOT = resolve(import.meta.dirname, '../..');
const docs = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js|py|rb|java|sh|go)$/.test(n) ? [p] : [];
  });
}

/** The first table under `## <heading>`: its rows' cells, backticks removed, the last (prose) cell dropped. */
function table(heading: string): string[][] {
  const from = docs.indexOf(`\n## ${heading}\n`);
  expect(from, `docs/errors.md has a section "${heading}"`).toBeGreaterThan(-1);
  const lines = docs.slice(from).split('\n').slice(2);
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.slice(1, -1).split(' | ').map((c) => c.trim().replaceAll('`', ''));
    rows.push(cells.slice(0, -1));
  }
  return rows.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

const sorted = (rows: string[][]) => rows.sort((a, b) => a[0]!.localeCompare(b[0]!));

describe('error registry', () => {
  it('docs/errors.md lists the Lambda API errors with their statuses and kinds', () => {
    expect(table('API errors')).toEqual(sorted(Object.entries(API_ERRORS).map(([n, e]: [string, ErrorSpec]) => [n, [e.status, ...(e.alsoStatuses ?? [])].join(', '), e.kind])));
  });

  it('docs/errors.md lists the CloudWatch Logs API errors with their statuses and kinds', () => {
    expect(table('CloudWatch Logs API errors')).toEqual(sorted(Object.entries(LOGS_ERRORS).map(([n, e]: [string, ErrorSpec]) => [n, [e.status, ...(e.alsoStatuses ?? [])].join(', '), e.kind])));
  });

  it('docs/errors.md lists the Runtime API refusals with their statuses and kinds', () => {
    expect(table('Runtime API refusals')).toEqual(sorted(Object.entries(RUNTIME_API_ERRORS).map(([n, e]) => [n, e.statuses.join(', '), e.kind])));
  });

  it('docs/errors.md lists the function errors and the CLI exit codes', () => {
    expect(table('Function errors').map((r) => r[0])).toEqual(Object.keys(FUNCTION_ERRORS).sort());
    expect(table('CLI exit codes')).toEqual(sorted(Object.entries(CLI_EXIT_CODES).map(([n, e]) => [n, String(e.code)])));
  });

  it('every Runtime API refusal and Logs error named in the code is in the registry', () => {
    const unknown: string[] = [];
    for (const f of files(join(ROOT, 'src/environment'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/errorType: '([A-Za-z]+)'/g)) if (!(m[1]! in RUNTIME_API_ERRORS)) unknown.push(`${f}: ${m[1]}`);
    }
    for (const f of files(join(ROOT, 'src/api/logs'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/LogsError\(\s*'([A-Za-z]+)'/g)) if (!(m[1]! in LOGS_ERRORS)) unknown.push(`${f}: ${m[1]}`);
    }
    expect(unknown).toEqual([]);
  });

  it('every platform function error type used in the code is in the registry', () => {
    const used = new Set<string>();
    for (const f of [...files(join(ROOT, 'src')), ...files(join(ROOT, 'runtimes'))]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/['"`]((?:Runtime|Sandbox|Function)\.[A-Z][A-Za-z]+)['"`]/g)) used.add(m[1]!);
    }
    const unknown = [...used].filter((t) => !(t in FUNCTION_ERRORS));
    expect(unknown).toEqual([]);
    expect(used.size).toBeGreaterThan(5);
  });

  it('every apiError name used in the code is in the registry', () => {
    const unknown: string[] = [];
    for (const f of files(join(ROOT, 'src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/apiError\(\s*'([A-Za-z]+)'/g)) if (!(m[1]! in API_ERRORS)) unknown.push(`${f}: ${m[1]}`);
    }
    expect(unknown).toEqual([]);
  });
});
