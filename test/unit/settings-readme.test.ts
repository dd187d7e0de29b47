// The settings table (src/settings.ts) is the one definition of every server setting: the README's
// configuration table must name the same flags, variables and defaults (its prose may say more),
// and `lambkin serve --help` is generated from it.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerServe } from '../../src/cli/serve.js';
import { defaultText, SETTINGS, type Setting } from '../../src/settings.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface Row { flag: string; env: string; default: string }

/** The rows of the table under README's "## Configuration". */
function readmeRows(): Row[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('\n## Configuration\n'));
  const lines = section.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| flag | variable | default |'));
  const rows: Row[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split(' | ').map((c) => c.replace(/^\|\s?/, '').trim());
    rows.push({ flag: cells[0]!.replaceAll('`', ''), env: cells[1]!.replaceAll('`', ''), default: cells[2]! });
  }
  return rows;
}

const settings = Object.values(SETTINGS) as Setting[];

describe('settings', () => {
  it("the README's configuration table names every setting, with its flag and default, and nothing else", () => {
    const expected = settings.map((s) => ({ flag: s.flag?.split(' ')[0] ?? '', env: s.env, default: defaultText(s) }));
    const sort = (rows: Row[]) => [...rows].sort((a, b) => a.env.localeCompare(b.env));
    expect(sort(readmeRows())).toEqual(sort(expected));
  });

  it('lambkin serve has one option per setting with a flag, its help naming the variable', () => {
    const program = new Command();
    registerServe(program);
    const serve = program.commands.find((c) => c.name() === 'serve')!;
    const options = serve.options.filter((o) => o.long !== '--deploy-examples');
    expect(options.map((o) => o.flags).sort()).toEqual(settings.flatMap((s) => (s.flag ? [s.flag] : [])).sort());
    for (const [name, s] of Object.entries(SETTINGS) as [string, Setting][]) {
      if (!s.flag) continue;
      const option = options.find((o) => o.flags === s.flag)!;
      expect(option.description).toContain(`env ${s.env}`);
      // resolveConfig reads the flag under the setting's own name: commander must give it that name.
      expect(option.attributeName()).toBe(name);
    }
  });

  it('whole-number settings have a range, and fixed defaults inside it', () => {
    for (const s of settings.filter((x) => x.min !== undefined)) {
      expect(s.max, s.env).toBeGreaterThan(s.min!);
      if (typeof s.default === 'number') expect(s.default, s.env).toBeGreaterThanOrEqual(s.min!);
      if (typeof s.default === 'number') expect(s.default, s.env).toBeLessThanOrEqual(s.max!);
    }
  });
});
