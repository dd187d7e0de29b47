// Ruby in the pre-start pool (src/sandbox/prestart/pool.ts, runtimes/ruby/lambkin/prestart.rb): a
// cold start served by a pre-started Ruby must look like one started for its function — the same
// ENV, $LOAD_PATH (the package's folder and a layer's /opt/ruby/lib first, which Ruby reads from
// RUBYLIB as it starts), an empty /tmp, stdin at /dev/null, init errors, REPORT, its log stream.
// Each case is compared with the same function on a server without the pool (LAMBKIN_PRESTART=off),
// as test/e2e/prestart.test.ts does for Node.js and Python.
import { CreateFunctionCommand, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { which } from '../conformance/runtime-packages.js';
import { ROLE, waitFor } from '../helpers/functions.js';
import { invokeJson, reportPattern } from '../helpers/logs.js';
import { PRESTART_SANDBOXES, expectSameEnvironment, pooledAndPlain, waiting } from '../helpers/prestart.js';
import { type Lambkin, startLambkin } from '../helpers/server.js';
import { zip } from '../helpers/zip.js';

const RUBY = { label: 'ruby' } as const;

const FN = `
require 'tmpdir'
puts 'init line'
raise TypeError, 'broken at init' if ENV['FAIL_INIT']
def lambda_handler(event:, context:)
  puts 'handler line'
  helper = begin
    require 'layer_helper'
    LayerHelper::NAME
  rescue LoadError
    nil
  end
  {
    env: ENV.to_h, tmp: Dir.children(Dir.tmpdir), cwd: Dir.pwd, path: $LOAD_PATH.first(3), helper: helper,
    stdin: File.readlink('/proc/self/fd/0'),
    prestarted: File.binread('/proc/self/environ').split("\\0").include?('_LAMBKIN_PRESTART=1'),
    stream: context.log_stream_name
  }
end
`;

interface Reply {
  env: Record<string, string>;
  tmp: string[];
  cwd: string;
  path: string[];
  helper: string | null;
  stdin: string;
  prestarted: boolean;
  stream: string;
}

describe.skipIf(!which('ruby'))('Ruby in the pre-start pool', () => {
  describe.each(PRESTART_SANDBOXES)('$label sandbox', ({ label, args }) => {
    let pooled: Lambkin;
    let plain: Lambkin;
    const layers = new Map<Lambkin, string>();

    beforeAll(async () => {
      [pooled, plain] = await Promise.all([startLambkin({ args }), startLambkin({ args, env: { LAMBKIN_PRESTART: 'off' } })]);
      for (const s of [pooled, plain]) {
        const out = await s.lambda.send(new PublishLayerVersionCommand({
          LayerName: 'ruby-helper', Content: { ZipFile: zip({ 'ruby/lib/layer_helper.rb': "module LayerHelper\n  NAME = 'from the layer'\nend\n" }) },
        }));
        layers.set(s, out.LayerVersionArn!);
      }
    });
    afterAll(async () => {
      await Promise.all([pooled?.stop(), plain?.stop()]);
    });

    /** Create `name` on both servers; the deploy readies a Ruby: wait until one waits. */
    async function setUp(name: string, variables: Record<string, string> = {}, withLayer = false): Promise<number[]> {
      await Promise.all([pooled, plain].map((s) => s.lambda.send(new CreateFunctionCommand({
        FunctionName: name, Runtime: 'ruby3.3', Role: ROLE, Handler: 'lambda_function.lambda_handler', MemorySize: 192,
        Code: { ZipFile: zip({ 'lambda_function.rb': FN }) }, Environment: { Variables: variables }, ...(withLayer && { Layers: [layers.get(s)!] }),
      }))));
      return waitFor('a pre-started Ruby', () => waiting(pooled, RUBY).length > 0 && waiting(pooled, RUBY));
    }

    it('a cold start from the pool sees exactly the function\'s ENV, $LOAD_PATH (a layer\'s too), an empty /tmp, its stream', async () => {
      const name = `env-${label}`;
      // With a layer only in the namespace sandbox: the process sandbox shows /opt at a host path of
      // each environment's own, so its layer variables differ between any two environments.
      const layered = label === 'namespace';
      await setUp(name, { ONLY_HERE: 'yes', QUOTE: "it's \"x\"" }, layered);
      const { out, got, want } = await pooledAndPlain<Reply>({ pooled, plain }, name);
      expect(got.prestarted).toBe(true);
      expectSameEnvironment(got.env, want.env);
      expect(got.env).not.toHaveProperty('_LAMBKIN_PRESTART');
      expect(got.env.ONLY_HERE).toBe('yes');
      expect(got.env.QUOTE).toBe("it's \"x\"");
      expect(got.env.RUBYLIB).toBe(layered ? `${got.env.LAMBDA_TASK_ROOT}:/opt/ruby/lib` : got.env.LAMBDA_TASK_ROOT);
      // The package's folder first, then the layer's lib; the rest as in a normal start.
      expect(got.path[0]).toBe(got.env.LAMBDA_TASK_ROOT);
      expect(got.path.slice(1)).toEqual(want.path.slice(1));
      if (layered) {
        expect(got.path[1]).toBe('/opt/ruby/lib');
        expect([got.helper, want.helper]).toEqual(['from the layer', 'from the layer']);
      }
      expect(got.tmp).toEqual([]);
      expect([got.cwd, want.cwd]).toEqual([got.env.LAMBDA_TASK_ROOT, want.env.LAMBDA_TASK_ROOT]);
      expect([got.stdin, want.stdin]).toEqual(['/dev/null', '/dev/null']);
      const tail = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8').split('\n');
      expect(tail).toContainEqual(expect.stringContaining('handler line'));
      expect(tail.find((l) => l.startsWith('REPORT'))).toMatch(reportPattern(out.requestId, 192, true));
      expect(got.stream).toBe(got.env.AWS_LAMBDA_LOG_STREAM_NAME);
    });

    it('an init error in a pre-started Ruby is reported as in a normal start', async () => {
      const name = `init-${label}`;
      const ready = await setUp(name, { FAIL_INIT: '1' });
      const out = await invokeJson(pooled.lambda, name, {}, true);
      const normal = await invokeJson(plain.lambda, name, {}, true);
      expect(out.FunctionError).toBe('Unhandled');
      const pick = (b: unknown) => ({ errorType: (b as { errorType: string }).errorType, errorMessage: (b as { errorMessage: string }).errorMessage });
      expect(pick(out.body)).toEqual(pick(normal.body));
      expect(pick(out.body).errorType).toMatch(/TypeError/);
      await waitFor('a pre-started Ruby to be used up', () => ready.some((pid) => !waiting(pooled, RUBY).includes(pid)));
    });

    it('a function setting RUBYOPT gets a Ruby of its own', async () => {
      const name = `startup-${label}`;
      await setUp(name, { RUBYOPT: '-W0' });
      const out = await invokeJson(pooled.lambda, name, {});
      expect(out.FunctionError).toBeUndefined();
      expect((out.body as Reply).prestarted).toBe(false);
    });
  });
});
