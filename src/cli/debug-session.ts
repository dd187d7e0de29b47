// `--debug` of `lambkin invoke` and `lambkin dev`: ask the server for a debug environment of the
// function, say where a debugger attaches, and what is different about that environment.
import type { DebugSession, LambkinClient } from '../client/index.js';
import { note, paint } from './output.js';

export async function startDebugSession(client: LambkinClient, name: string, qualifier?: string): Promise<DebugSession> {
  const session = await client.debug(name, qualifier);
  const p = paint(process.stderr);
  note(`${p.bold('debugger')}: ${session.functionName}'s next invocation runs with the ${session.protocol} debugger on ${p.bold(session.address)} (this machine's loopback only)`);
  note(p.dim(`  attach with ${session.attach}`));
  note(p.dim(`  its timeout is suspended (up to ${session.timeoutSuspendedUpToSeconds / 60} min) so that you can stay paused; that environment serves this one invocation only, others run elsewhere, and it stops once your debugger detaches`));
  return session;
}

/** Wait for a line on stdin (the user attached their debugger and pressed Enter); EOF counts as go. */
export function waitForEnter(): Promise<void> {
  if (process.stdin.isTTY) note('attach your debugger, then press Enter to invoke');
  return new Promise((resolve) => {
    const done = () => {
      process.stdin.off('data', onData).off('end', done).off('error', done);
      // Nothing else reads stdin: an open pipe would keep the CLI from exiting.
      process.stdin.destroy();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      if (chunk.includes(10)) done();
    };
    process.stdin.on('data', onData).once('end', done).once('error', done);
    process.stdin.resume();
  });
}
