// Where an Event invocation's outcome goes (PutFunctionEventInvokeConfig's DestinationConfig):
// another function, invoked asynchronously with Lambda's destination record, or lambkin's built-in
// dead-letter list of the function (any SQS queue ARN names it: lambkin has no SQS).
import { functionArn } from '../registry/arn.js';
import type { InvocationResult } from '../environment/invocation.js';

/** A function's event invoke configuration as stored (qualifier '$LATEST' for the unqualified name). */
export interface EventInvokeConfig {
  readonly maximumRetryAttempts?: number;
  readonly maximumEventAgeInSeconds?: number;
  readonly onSuccess?: string;
  readonly onFailure?: string;
  readonly lastModified: number; // seconds since epoch
}

export type Destination = { readonly kind: 'function'; readonly name: string; readonly qualifier: string } | { readonly kind: 'dead-letter' };

const LAMBDA_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const SQS_ARN = /^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9-_.]+$/;

/** What a destination ARN means here, or undefined for one lambkin cannot deliver to. */
export function parseDestination(arn: string): Destination | undefined {
  const fn = LAMBDA_ARN.exec(arn);
  if (fn) return { kind: 'function', name: fn[1]!, qualifier: fn[2] ?? '' };
  if (SQS_ARN.test(arn)) return { kind: 'dead-letter' };
  return undefined;
}

export type Condition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

export interface RecordInput {
  readonly requestId: string;
  readonly functionName: string;
  readonly qualifier: string;
  readonly condition: Condition;
  readonly attempts: number;
  readonly payload: Buffer;
  /** The last run's result and the version it ran (absent when it never ran). */
  readonly result?: InvocationResult;
  readonly executedVersion?: string;
}

/** Lambda's invocation record, as a destination function receives it as its event. */
export function destinationRecord(input: RecordInput): Buffer {
  const { result } = input;
  const record: Record<string, unknown> = {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: functionArn(input.functionName, input.qualifier || '$LATEST'),
      condition: input.condition,
      approximateInvokeCount: input.attempts,
    },
    requestPayload: parsed(input.payload),
  };
  if (result) {
    record.responseContext = {
      statusCode: 200,
      executedVersion: input.executedVersion ?? '$LATEST',
      ...(result.ok ? {} : { functionError: 'Unhandled' }),
    };
    record.responsePayload = parsed(result.payload);
  }
  return Buffer.from(JSON.stringify(record));
}

function parsed(bytes: Buffer): unknown {
  if (bytes.length === 0) return null;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return bytes.toString('utf8');
  }
}
