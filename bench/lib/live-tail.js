// Live tail latency for bench/logs.js: a StartLiveTail session (AWS SDK) filtered on a marker, and
// a function that logs the marker with its own clock (Date.now(), the same machine's clock); each
// sample is from that console.log to the moment the session's iterator hands the event over — the
// write queue's batching, the store's write, the fan-out and the event stream's framing.
import { CloudWatchLogsClient, StartLiveTailCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { deploy } from './functions.js';
import { summary } from './stats.js';

const FN = 'bench-live-tail';
const MARK = 'livetailmark';

export async function timeLiveTail(lambda, common, runs) {
  await deploy(lambda, FN, 'nodejs20.x', {
    'lambda_function.js': `exports.lambda_handler = async (e) => { console.log("${MARK}", e.i, Date.now()); return 1; };\n`,
  }, { MemorySize: 128 });
  await lambda.send(new InvokeCommand({ FunctionName: FN, Payload: JSON.stringify({ i: -1 }) })); // the group exists, warm
  // Live tail has its own host on AWS (streaming-logs…); on lambkin's one port the prefix is off.
  const logs = new CloudWatchLogsClient({ ...common, disableHostPrefix: true });
  const abort = new AbortController();
  const out = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [`/aws/lambda/${FN}`], logEventFilterPattern: MARK }), { abortSignal: abort.signal });
  const waiting = new Map();
  const samples = [];
  let started;
  const opened = new Promise((r) => (started = r));
  const reading = (async () => {
    try {
      for await (const e of out.responseStream) {
        if (e.sessionStart) started();
        for (const r of e.sessionUpdate?.sessionResults ?? []) {
          const [, i, at] = /livetailmark (-?\d+) (\d+)/.exec(r.message) ?? [];
          if (i === undefined) continue;
          samples.push(Date.now() - Number(at));
          waiting.get(Number(i))?.();
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err;
    }
  })();
  await opened;
  try {
    for (let i = 0; i < runs; i++) {
      const seen = new Promise((r) => waiting.set(i, r));
      await lambda.send(new InvokeCommand({ FunctionName: FN, Payload: JSON.stringify({ i }) }));
      await seen;
    }
  } finally {
    abort.abort();
    await reading;
    logs.destroy();
  }
  return summary(samples);
}
