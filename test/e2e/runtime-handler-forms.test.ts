// The handler forms of the Java and Ruby runtimes beyond the conformance probe: Java POJOs and
// records, String events, stream handlers, static methods, `package.Class` alone, a dependency in
// lib/*.jar; Ruby class-method handlers. Each with the real AWS SDK against a real server.
import { CreateFunctionCommand, type Runtime } from '@aws-sdk/client-lambda';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { ROLE, invoke as invokeFunction, waitFor } from '../helpers/functions.js';
import { zip, type Files } from '../helpers/zip.js';
import { FIXTURES, compileJava, folderFiles, which } from '../conformance/runtime-packages.js';

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin();
});
afterAll(async () => {
  await lk?.stop();
});

async function create(name: string, runtime: string, handler: string, files: Files | Uint8Array): Promise<void> {
  await lk.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: runtime as Runtime, Role: ROLE, Handler: handler, MemorySize: 256, Timeout: 10,
    Code: { ZipFile: files instanceof Uint8Array ? files : zip(files) },
  }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
// biome-ignore lint/suspicious/noExplicitAny: each case reads the fields of its own answer
const invoke = (name: string, payload: string) => invokeFunction<any>(lk.lambda, name, undefined, { payload });

async function logged(fn: string, text: string): Promise<string> {
  return waitFor(`"${text}" in ${fn}'s log`, async () => {
    const out = await lk.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}` }));
    return out.events?.find((e) => e.message?.includes(text))?.message;
  });
}

describe.skipIf(!which('javac'))('Java handler forms', () => {
  let jar: Uint8Array;

  beforeAll(() => {
    const lib = compileJava(join(FIXTURES, 'java/forms-lib'));
    // Uploaded as a jar, as on Lambda: the classes at the root, the dependency as lib/shout.jar.
    jar = zip({
      'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n',
      ...compileJava(join(FIXTURES, 'java/forms'), [join(FIXTURES, 'java/forms-lib')]),
      'lib/shout.jar': zip(lib),
    });
  });

  it('converts the event to a POJO (setters, public fields, nested, lists) and writes a record back', async () => {
    await create('java-greeter', 'java17', 'example.Greeter::greet', jar);
    const event = { name: 'Ada', age: 36, address: { city: 'London' }, tags: ['math', 'engines'], unknown: 'ignored' };
    const res = await invoke('java-greeter', JSON.stringify(event));
    expect(res.functionError).toBeUndefined();
    expect(res.body).toEqual({ message: 'Hello, Ada!', nextAge: 37, city: 'London', tagCount: 2, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('gives a String parameter a JSON string\'s value, and any other event as JSON text', async () => {
    await create('java-strings', 'java21', 'example.Strings::upper', jar);
    expect((await invoke('java-strings', '"hello"')).body).toBe('HELLO');
    expect((await invoke('java-strings', '{"a":[1,true]}')).body).toBe('{"A":[1,TRUE]}');
  });

  it('runs a RequestStreamHandler named by its class alone, bytes in and out; a logger message stays one event', async () => {
    await create('java-streamer', 'java17', 'example.Streamer', jar);
    const res = await invoke('java-streamer', '{"pad":"éé"}');
    expect(res.body).toEqual({ length: 12, function: 'java-streamer' });
    expect(await logged('java-streamer', 'streamed')).toBe('streamed\nin one event');
  });

  it('calls a static method without a Context, converting the event to its int parameter', async () => {
    await create('java-statics', 'java17', 'example.Statics::twice', jar);
    expect((await invoke('java-statics', '21')).body).toBe(42);
  });

  it("loads the handler's dependency from lib/*.jar", async () => {
    await create('java-uses-lib', 'java17', 'example.UsesLib::handleRequest', jar);
    expect((await invoke('java-uses-lib', '{"text":"quiet"}')).body).toEqual({ shouted: 'QUIET!' });
  });

  it('a class compiled for a newer Java than the server has fails with a message saying what to do', async () => {
    const classes = compileJava(join(FIXTURES, 'java/forms'), [join(FIXTURES, 'java/forms-lib')]);
    const entry = classes['example/Statics.class'] as { content: Uint8Array };
    const newer = Buffer.from(entry.content);
    newer.writeUInt16BE(99, 6); // class file major version: a Java from the future
    await create('java-newer', 'java21', 'example.Statics::twice', { 'example/Statics.class': newer });
    const res = await invoke('java-newer', '21');
    expect(res.functionError).toBe('Unhandled');
    expect(res.body.errorType).toBe('Runtime.ImportModuleError');
    expect(res.body.errorMessage).toMatch(/UnsupportedClassVersionError.*this server runs Java \d+: compile with --release \d+/);
  });

  it('an event that does not fit the parameter type is Runtime.UnmarshalError', async () => {
    const res = await invoke('java-statics', '{"not":"a number"}');
    expect(res.functionError).toBe('Unhandled');
    expect(res.body.errorType).toBe('Runtime.UnmarshalError');
  });
});

describe.skipIf(!which('ruby'))('Ruby handler forms', () => {
  it('calls a class method named file.Module::Class.method with event: and context:', async () => {
    await create('ruby-register', 'ruby3.2', 'app.Shop::Register.checkout', folderFiles(join(FIXTURES, 'ruby/forms')));
    const res = await invoke('ruby-register', JSON.stringify({ items: [{ price: 2.5, qty: 2 }, { price: 1, qty: 3 }] }));
    expect(res.functionError).toBeUndefined();
    expect(res.body).toEqual({ total: 8, currency: 'EUR', remaining_positive: true });
    // puts of a multi-line text is one log event, as on Lambda.
    expect(await logged('ruby-register', 'checkout for')).toBe('checkout for ruby-register:\n2 items');
  });

  it("requires a gem vendored in the package's vendor/bundle (bundle config path vendor/bundle)", async () => {
    const abi = execFileSync('ruby', ['-e', 'print RbConfig::CONFIG["ruby_version"]'], { encoding: 'utf8' });
    const gems = `vendor/bundle/ruby/${abi}`;
    await create('ruby-gem', 'ruby3.3', 'lambda_function.lambda_handler', {
      Gemfile: "source 'https://rubygems.org'\ngem 'greet'\n",
      [`${gems}/specifications/greet-1.0.gemspec`]:
        "Gem::Specification.new do |s|\n  s.name = 'greet'\n  s.version = '1.0'\n  s.summary = 'greets'\n  s.authors = ['lambkin']\n" +
        "  s.files = ['lib/greet.rb']\n  s.require_paths = ['lib']\nend\n",
      [`${gems}/gems/greet-1.0/lib/greet.rb`]: "module Greet\n  def self.hi(name) = \"hi #{name}\"\nend\n",
      'lambda_function.rb': "require 'greet'\n\ndef lambda_handler(event:, context:)\n  { said: Greet.hi(event['name']) }\nend\n",
    });
    const res = await invoke('ruby-gem', '{"name":"Ada"}');
    expect(res.functionError).toBeUndefined();
    expect(res.body).toEqual({ said: 'hi Ada' });
  });

  it('a handler string of the wrong shape is Runtime.MalformedHandlerName', async () => {
    await create('ruby-malformed', 'ruby3.2', 'app', folderFiles(join(FIXTURES, 'ruby/forms')));
    const res = await invoke('ruby-malformed', '{}');
    expect(res.body.errorType).toBe('Runtime.MalformedHandlerName');
  });
});
