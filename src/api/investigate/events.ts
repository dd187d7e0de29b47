// GET /lambkin/v1/events?function=&since=&until=&filter=&level=&requestId=&after=&limit= —
// a function's log events across all its streams in time order, with request id, environment
// and level (what `lambkin logs` prints). `next` is where the following page (or a follower
// polling for new events) continues: pass it back as `after`.
import { apiError } from '../../errors.js';
import { compilePattern, PatternError, type LogStore } from '../../logs/index.js';
import type { Registry } from '../../registry/index.js';
import { json, type Operation } from '../http.js';
import { Query, logGroupOf } from './query.js';
import { eventJson } from './views.js';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PLATFORM'];

export function listEvents(store: LogStore, registry: Registry): Operation {
  return (req) => {
    const q = new Query(req);
    const functionName = q.required('function');
    const levels = q.string('level')?.toUpperCase().split(',');
    const bad = levels?.find((l) => !LEVELS.includes(l));
    if (bad !== undefined) throw apiError('InvalidParameterValueException', `'level' takes a comma-separated list of ${LEVELS.join(', ')} (got '${bad}').`);
    let pattern;
    try {
      pattern = compilePattern(q.string('filter'));
    } catch (err) {
      if (err instanceof PatternError) throw apiError('InvalidParameterValueException', `Invalid filter pattern: ${err.message}`);
      throw err;
    }
    const limit = q.int('limit', 1, 10_000) ?? 1000;
    const after = q.int('after', 0, Number.MAX_SAFE_INTEGER);
    const since = q.time('since');
    const until = q.time('until');
    store.sync();
    const group = store.groups.get(logGroupOf(registry, functionName));
    if (!group) {
      if (!registry.get(functionName)) throw apiError('ResourceNotFoundException', `Function not found: ${functionName}`);
      return json(200, { events: [], next: String(after ?? 0), more: false });
    }
    const result = store.events.scan({ groupId: group.id, startTime: since, endTime: until, pattern, levels, afterId: after, limit });
    return json(200, { events: result.events.map(eventJson), next: String(result.position), more: result.next !== undefined });
  };
}
