// Lines written just before a function answers — on stdout, stderr and the telemetry pipe at once,
// with many environments answering at the same time — are each stored with their own request and
// before its END (the race: the runtime API socket read before the pipes that filled first). The
// race shows only now and then; this runs enough invocations at once for it to have shown before.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, createFunction } from '../helpers/functions.js';
import { invocationLog, invokeJson } from '../helpers/logs.js';

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin();
});
afterAll(async () => {
  await lk?.stop();
});

// The last thing before the answer: a line on each pipe, then a burst that fills the stdout pipe.
const LAST_WORDS = `
exports.lambda_handler = async (event) => {
  console.log('frame line', event.tag);
  process.stderr.write('stderr line ' + event.tag + '\\n');
  process.stdout.write(('stdout burst ' + event.tag + ' ').repeat(event.burst) + '\\n');
  process.stdout.write('stdout last ' + event.tag + '\\n');
  return event.tag;
};
`;

it('stores the lines written right before the answer with their request, before END', async () => {
  await createFunction(lk.lambda, 'last-words', NODE, { [NODE.file]: LAST_WORDS }, { Timeout: 30 });
  const runs = await Promise.all(Array.from({ length: 8 }, async (_, worker) => {
    const done: { requestId: string; tag: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const tag = `w${worker}i${i}`;
      const r = await invokeJson(lk.lambda, 'last-words', { tag, burst: i % 2 ? 4000 : 1 });
      expect(r.FunctionError).toBeUndefined();
      done.push({ requestId: r.requestId, tag });
    }
    return done;
  }));
  for (const { requestId, tag } of runs.flat()) {
    const { events } = await invocationLog(lk, requestId);
    const messages = events.map((e) => e.message);
    expect(messages.at(-2), messages.join('\n')).toBe(`END RequestId: ${requestId}`);
    for (const want of [`\tINFO\tframe line ${tag}`, `stderr line ${tag}`, `stdout burst ${tag} `, `stdout last ${tag}`]) {
      expect(messages.filter((m) => m.includes(want)), `${want} in\n${messages.join('\n').slice(0, 2000)}`).toHaveLength(1);
    }
    expect(events.every((e) => e.requestId === requestId)).toBe(true);
  }
});
