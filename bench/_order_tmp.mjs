import { startServer } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { LambdaClient, InvokeCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
const server = await startServer([]);
const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
let bad = 0, total = 0;
try {
  await deploy(lambda, 'order', 'nodejs20.x', { 'lambda_function.js': 'exports.lambda_handler = async (e) => { console.log("hello", e.n); process.stdout.write("plain stdout\\n"); return e; };' });
  for (let i = 0; i < 40; i++) {
    if (i % 2 === 0) await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'order', Description: 'c' + i }));
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'order', Payload: JSON.stringify({ n: i }) }));
    await new Promise(r => setTimeout(r, 100));
    const j = await (await fetch(server.url + '/lambkin/v1/invocations/' + r.$metadata.requestId)).json();
    const m = j.events.map(e => e.message);
    total++;
    const endAt = m.findIndex(x => x.startsWith('END'));
    const plainAt = m.indexOf('plain stdout');
    if (plainAt < 0 || plainAt > endAt) { bad++; console.log(i, j.invocation.cold, m.map(x => x.slice(0, 20))); }
  }
  const orphans = (await (await fetch(server.url + '/lambkin/v1/events?function=order')).json()).events.filter(e => !e.requestId);
  console.log('bad', bad, 'of', total, 'orphans', orphans.map(e => e.message));
} finally { lambda.destroy(); await server.stop(); }
