// Lambda's destination record (issue 14, item 2): built without parsing the event and the response
// into objects and stringifying them again, so JSON of any depth goes through whole; anything that
// is not JSON arrives as a string, nothing as null.
import { describe, expect, it } from 'vitest';
import type { InvocationResult } from '../../src/environment/invocation.js';
import { Arns } from '../../src/registry/arn.js';
import { destinationRecord } from '../../src/scheduler/destinations.js';

function result(ok: boolean, payload: string): InvocationResult {
  return {
    requestId: 'r', envId: 'e', ok, payload: Buffer.from(payload), outcome: ok ? 'success' : 'error',
    cold: false, initMs: undefined, durationMs: 1, billedMs: 1, maxMemoryUsedMb: 1,
  } as InvocationResult;
}

const base = { requestId: 'req-1', functionName: 'f', qualifier: '', attempts: 3 } as const;

/** Nesting depth of [[[…]]], counted without recursion. */
function depth(v: unknown): number {
  let d = 0;
  for (let x = v; Array.isArray(x); x = x[0]) d++;
  return d;
}

describe('destinationRecord', () => {
  it('is the record Lambda sends, field for field', () => {
    const record = JSON.parse(destinationRecord(new Arns(), {
      ...base, condition: 'RetriesExhausted', payload: Buffer.from('{"a": [1, 2]}'),
      result: result(false, '{"errorMessage":"boom","errorType":"Error"}'), executedVersion: '$LATEST',
    }).toString());
    expect(Object.keys(record)).toEqual(['version', 'timestamp', 'requestContext', 'requestPayload', 'responseContext', 'responsePayload']);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: { requestId: 'req-1', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { a: [1, 2] },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorMessage: 'boom', errorType: 'Error' },
    });
    expect(Number.isNaN(Date.parse(record.timestamp))).toBe(false);
  });

  it('carries JSON nested 100,000 levels deep in the event and the response, whole', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const bytes = destinationRecord(new Arns(), { ...base, condition: 'Success', payload: Buffer.from(deep), result: result(true, deep) });
    const record = JSON.parse(bytes.toString()) as { requestPayload: unknown; responsePayload: unknown; responseContext: object };
    expect(depth(record.requestPayload)).toBe(100_000);
    expect(depth(record.responsePayload)).toBe(100_000);
    expect(record.responseContext).not.toHaveProperty('functionError');
  });

  it('passes what is not JSON as a string and nothing as null; without a run, no response fields', () => {
    const record = JSON.parse(destinationRecord(new Arns(), { ...base, condition: 'EventAgeExceeded', payload: Buffer.from('not json "}') }).toString());
    expect(record.requestPayload).toBe('not json "}');
    expect(record).not.toHaveProperty('responseContext');
    expect(record).not.toHaveProperty('responsePayload');
    const empty = JSON.parse(destinationRecord(new Arns(), { ...base, condition: 'Success', payload: Buffer.alloc(0), result: result(true, '') }).toString());
    expect(empty.requestPayload).toBeNull();
    expect(empty.responsePayload).toBeNull();
  });

  it('keeps the event\'s own text: a trailing-comma trick cannot add fields to the record', () => {
    const record = JSON.parse(destinationRecord(new Arns(), { ...base, condition: 'Success', payload: Buffer.from('1, "requestContext": {}') }).toString());
    expect(record.requestPayload).toBe('1, "requestContext": {}');
    expect(record.requestContext.requestId).toBe('req-1');
  });
});
