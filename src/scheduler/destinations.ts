// Where an Event invocation's outcome goes (PutFunctionEventInvokeConfig's DestinationConfig):
// another function, invoked asynchronously with Lambda's destination record, or lambkin's built-in
// dead-letter list of the function (any SQS queue ARN names it: lambkin has no SQS).
import type { Arns } from '../registry/arn.js';
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

/**
 * Lambda's invocation record, as a destination function receives it as its event. Built as text:
 * the event and the response are already JSON, so their bytes are spliced in as they are instead of
 * being parsed into objects and stringified again — JSON.stringify recurses, and a payload nested a
 * few thousand levels deep (12 KB is enough) would throw RangeError from it.
 */
export function destinationRecord(arns: Arns, input: RecordInput): Buffer {
  const { result } = input;
  const head = {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: arns.functionArn(input.functionName, input.qualifier || '$LATEST'),
      condition: input.condition,
      approximateInvokeCount: input.attempts,
    },
  };
  // The fixed parts are small and flat: stringify them, then append the spliced fields.
  let text = `${JSON.stringify(head).slice(0, -1)},"requestPayload":${jsonText(input.payload)}`;
  if (result) {
    const responseContext = {
      statusCode: 200,
      executedVersion: input.executedVersion ?? '$LATEST',
      ...(result.ok ? {} : { functionError: 'Unhandled' }),
    };
    text += `,"responseContext":${JSON.stringify(responseContext)},"responsePayload":${jsonText(result.payload)}`;
  }
  return Buffer.from(`${text}}`);
}

/**
 * `bytes` as one JSON value: themselves when they are valid JSON, else as a JSON string (a runtime
 * may answer anything). JSON.parse only checks them: V8's parser is iterative, so depth costs it
 * memory, not stack.
 */
function jsonText(bytes: Buffer): string {
  if (bytes.length === 0) return 'null';
  const text = bytes.toString('utf8');
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(text);
  }
}
