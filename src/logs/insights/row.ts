// What a query's commands see of an event: its system fields (@timestamp, @message, @logStream,
// @log, @requestId, @ingestionTime), the platform fields of Lambda's lines (report-fields.ts), the
// fields of a JSON line (json-fields.ts) — each worked out only when first asked for — and the
// fields the query itself sets (`fields … as`, `parse`). After `stats`, a row is its group's values.
import type { StoredEvent } from '../views.js';
import { jsonFields } from './json-fields.js';
import { platformFields } from './report-fields.js';
import { Time, type Value } from './values.js';

export interface Row {
  get(name: string): Value;
  set(name: string, value: Value): void;
}

export class EventRow implements Row {
  private own: Map<string, Value> | undefined;
  private platform: Map<string, Value> | undefined | null = null;
  private json: ReadonlyMap<string, Value> | undefined;

  constructor(readonly event: StoredEvent, private readonly log: string) {}

  get(name: string): Value {
    if (this.own?.has(name)) return this.own.get(name);
    switch (name) {
      case '@timestamp':
        return new Time(this.event.timestamp);
      case '@message':
        return this.event.message;
      case '@logStream':
        return this.event.logStream;
      case '@log':
        return this.log;
      case '@requestId':
        return this.event.requestId;
      case '@ingestionTime':
        return new Time(this.event.ingestionTime);
      case '@eventId':
      case '@ptr':
        return this.event.eventId;
    }
    if (name.startsWith('@')) {
      if (this.platform === null) this.platform = platformFields(this.event.message);
      return this.platform?.get(name);
    }
    this.json ??= jsonFields(this.event.message);
    return this.json.get(name);
  }

  set(name: string, value: Value): void {
    (this.own ??= new Map()).set(name, value);
  }
}

/** A row made of named values: a stats group, or a test's. */
export class MapRow implements Row {
  constructor(private readonly values: Map<string, Value> = new Map()) {}

  get(name: string): Value {
    return this.values.get(name);
  }

  set(name: string, value: Value): void {
    this.values.set(name, value);
  }
}

/** The names of the discovered fields of an event (GetLogGroupFields). */
export function discoveredFields(event: StoredEvent): string[] {
  const names = ['@timestamp', '@message', '@logStream', '@log', '@ingestionTime'];
  if (event.requestId !== undefined) names.push('@requestId');
  names.push(...(platformFields(event.message)?.keys() ?? []));
  names.push(...jsonFields(event.message).keys());
  return names;
}
