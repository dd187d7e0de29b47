// CreateLogStream and DeleteLogStream: streams that applications and log shippers write with
// PutLogEvents, in any existing group (a function's included). A stream a function's environment
// writes is not deleted here: it goes with its group, or with the group's retention.
import { z } from 'zod';
import type { LogReader, PutOutcome } from '../../logs/index.js';
import { groupNotFound, LogsError, streamNotFound } from './errors.js';
import { groupName, parseBody, streamName } from './input.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({ logGroupName: groupName, logStreamName: streamName });

export function createLogStream(store: LogReader): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    refused(await store.createStream(input.logGroupName, input.logStreamName), input.logStreamName);
    return undefined;
  };
}

export function deleteLogStream(store: LogReader): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    refused(await store.deleteStream(input.logGroupName, input.logStreamName), input.logStreamName);
    return undefined;
  };
}

/** The store's answer as CloudWatch's error, when it is not 'done'. */
export function refused(outcome: PutOutcome, stream: string): void {
  switch (outcome) {
    case 'done':
      return;
    case 'noGroup':
      throw groupNotFound();
    case 'noStream':
      throw streamNotFound();
    case 'exists':
      throw new LogsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    case 'written':
      throw new LogsError('InvalidOperationException',
        `The log stream ${stream} is written by a function's environment: it is read-only here and goes with its log group (or the group's retention). Write to a stream you made with CreateLogStream.`);
  }
}
