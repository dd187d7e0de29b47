// The fields CloudWatch discovers in Lambda's platform lines: @type (START, END, REPORT) and, in a
// REPORT line, @duration, @billedDuration, @memorySize, @maxMemoryUsed and @initDuration (only on a
// cold start), as numbers in the units Lambda prints (ms, MB). Read from the line itself, so that
// they are there wherever the line is, whatever store kept it.
import type { Value } from './values.js';

const REPORT_KEYS: Readonly<Record<string, string>> = {
  Duration: '@duration',
  'Billed Duration': '@billedDuration',
  'Memory Size': '@memorySize',
  'Max Memory Used': '@maxMemoryUsed',
  'Init Duration': '@initDuration',
};

export const REPORT_FIELDS = ['@type', ...Object.values(REPORT_KEYS)];

/** The platform fields of a line, or undefined when it is not one of Lambda's platform lines. */
export function platformFields(message: string): Map<string, Value> | undefined {
  if (message.startsWith('START RequestId: ')) return new Map([['@type', 'START']]);
  if (message.startsWith('END RequestId: ')) return new Map([['@type', 'END']]);
  if (!message.startsWith('REPORT RequestId: ')) return undefined;
  const fields = new Map<string, Value>([['@type', 'REPORT']]);
  for (const part of message.split('\t')) {
    const colon = part.indexOf(': ');
    if (colon < 0) continue;
    const name = REPORT_KEYS[part.slice(0, colon)];
    if (name === undefined) continue;
    const n = parseFloat(part.slice(colon + 2));
    if (Number.isFinite(n)) fields.set(name, n);
  }
  return fields;
}
