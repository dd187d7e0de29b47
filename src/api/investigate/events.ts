// GET /lambkin/v1/events?function=&since=&until=&filter=&level=&requestId=&after=&limit= —
// a function's log events across all its streams in time order, with request id, environment
// and level (what `lambkin logs` prints). `next` is where the following page (or a follower
// polling for new events) continues: pass it back as `after`.
import { apiError } from '../../errors.js';
import { compilePattern, PatternError, type LogReader } from '../../logs/index.js';
import type { Registry } from '../../registry/index.js';
import { json, type Operation } from '../http.js';
import { Query, logGroupOf, withToken } from './query.js';
import { eventJson } from './views.js';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PLATFORM'];

export function listEvents(store: LogReader, registry: Registry): Operation {
  return async (req) => {
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
    const after = q.string('after');
    const since = q.time('since');
    const until = q.time('until');
    // A deleted function's group may still be there; a function that has not logged yet has no
    // group, and the store reads it as empty.
    const group = logGroupOf(registry, functionName);
    if (!registry.get(functionName) && !(await store.describeGroup(group))) throw apiError('ResourceNotFoundException', `Function not found: ${functionName}`);
    const page = await withToken('after', store.filterEvents({ group, startTime: since, endTime: until, pattern, levels, token: after, limit }));
    return json(200, { events: page.events.map(eventJson), next: page.position, more: page.nextToken !== undefined });
  };
}
