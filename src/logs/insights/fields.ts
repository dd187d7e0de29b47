// GetLogGroupFields: the fields found in a group's recent events and in what share of them: a
// sample of the events of the SAMPLE_WINDOW before `time` (at most SAMPLE_EVENTS of them).
import type { LogReader } from '../store.js';
import { discoveredFields } from './row.js';

const SAMPLE_WINDOW = 15 * 60_000;
const SAMPLE_EVENTS = 1_000;

export async function logGroupFields(reader: LogReader, group: string, time: number): Promise<{ name: string; percent: number }[]> {
  const page = await reader.filterEvents({ group, startTime: time - SAMPLE_WINDOW, endTime: time + 1, limit: SAMPLE_EVENTS });
  const counts = new Map<string, number>();
  for (const e of page.events) for (const name of new Set(discoveredFields(e))) counts.set(name, (counts.get(name) ?? 0) + 1);
  const n = page.events.length;
  return [...counts].map(([name, c]) => ({ name, percent: Math.round((100 * c) / n) })).sort((a, b) => b.percent - a.percent || (a.name < b.name ? -1 : 1));
}
