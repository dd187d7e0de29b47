// X-Amz-Client-Context: any valid JSON a caller sends reaches the function as the same value —
// with newlines between its tokens and characters outside Latin-1 ("日本", emoji) in its strings,
// which a header cannot carry as they are — on a cold start and on a warm one, and the server
// keeps serving. (It used to end the server on a cold start: writeHead threw ERR_INVALID_CHAR.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, PYTHON, createFunction, invoke, type RuntimeCase } from '../helpers/functions.js';

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin();
});
afterAll(async () => {
  await lk?.stop();
});

const CONTEXT = {
  client: { installation_id: 'inst-ü', app_title: 'Grüße 日本 😀', app_version_name: '1.0', app_version_code: '1', app_package_name: 'x.y' },
  custom: { text: 'line one\nline two\ttabbed "quoted" \\ back', jp: '日本語', emoji: '😀🚀', latin: 'ü ß é', ctrl: '\u0001\u007f', n: 42.5, list: [1, 'ü', null, true] },
  env: { locale: 'de-DE', note: '→ ✓' },
};
// Pretty-printed: newlines and indentation between tokens, raw non-ASCII in the strings.
const TEXT = JSON.stringify(CONTEXT, null, 2);

const FILES: Record<RuntimeCase['label'], string> = {
  node: 'exports.lambda_handler = async (event, context) => ({ clientContext: context.clientContext });\n',
  python: [
    'def lambda_handler(event, context):',
    '    cc = context.client_context',
    '    c = cc.client',
    '    keys = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")',
    '    out = {"custom": cc.custom, "env": cc.env}',
    '    if c is not None:',
    '        out["client"] = {k: getattr(c, k) for k in keys}',
    '    return {"clientContext": out}',
    '',
  ].join('\n'),
};

const invokeWith = (name: string, clientContext: string) => invoke<unknown>(lk.lambda, name, {}, { clientContext });

describe.each([NODE, PYTHON])('client context ($label)', (rt) => {
  it('reaches the function exactly, with newlines and non-Latin-1 characters, cold then warm', async () => {
    const name = `client-context-${rt.label}`;
    await createFunction(lk.lambda, name, rt, { [rt.file]: FILES[rt.label] });
    const encoded = Buffer.from(TEXT, 'utf8').toString('base64');
    const cold = await invokeWith(name, encoded);
    expect(cold.functionError).toBeUndefined();
    expect(cold.body).toEqual({ clientContext: CONTEXT });
    const warm = await invokeWith(name, encoded);
    expect(warm.body).toEqual({ clientContext: CONTEXT });
    // One line, another value: the warm environment is not stuck on the first.
    const other = { custom: { only: '—' } };
    expect((await invokeWith(name, Buffer.from(JSON.stringify(other)).toString('base64'))).body).toMatchObject({ clientContext: { custom: other.custom } });
    expect(lk.proc.exitCode).toBeNull();
  });
});
