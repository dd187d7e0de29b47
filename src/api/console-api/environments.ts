// GET /lambkin/v1/environments?function=   the execution environments that exist now (all
//                                          functions when none is named): state, age, invocations served
// DELETE /lambkin/v1/environments/{id}     stop one (an invocation it is running fails as a crash)
import { apiError } from '../../errors.js';
import type { Scheduler } from '../../scheduler/scheduler.js';
import type { EnvironmentView } from '../../wire.js';
import { json, type Operation } from '../http.js';
import { Query } from '../investigate/query.js';

export function listEnvironments(scheduler: Scheduler): Operation {
  return (req) => {
    const fn = new Query(req).string('function');
    const now = Date.now();
    const environments = scheduler.environments(fn).map((e): EnvironmentView => ({ ...e, ageMs: now - e.createdAt }));
    environments.sort((a, b) => a.createdAt - b.createdAt);
    return json(200, { environments });
  };
}

export function stopEnvironment(scheduler: Scheduler): Operation {
  return (req) => {
    const id = req.params.id ?? '';
    if (!scheduler.stopEnvironment(id)) throw apiError('ResourceNotFoundException', `No execution environment ${id} is running (it may have stopped already).`);
    return { status: 202, body: { id, stopping: true } };
  };
}
