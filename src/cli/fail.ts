// How a failed command ends. Expected failures (API errors, unreachable server, usage mistakes)
// get one line and exit 2, never a stack trace; only a bug in lambkin itself shows one.
import { CommanderError } from 'commander';
import { LambkinApiError, LambkinConnectionError } from '../client/index.js';
import { CLI_EXIT_CODES } from '../errors.js';
import { UsageError, note } from './output.js';

export const EXIT_FUNCTION_ERROR = CLI_EXIT_CODES.FunctionError.code;
export const EXIT_FAILURE = CLI_EXIT_CODES.Failure.code;

export function reportFailure(err: unknown): void {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help / version).
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_FAILURE;
    return;
  }
  process.exitCode = EXIT_FAILURE;
  if (err instanceof LambkinApiError) {
    const retry = err.retryAfter === undefined ? '' : ` (retry after ${err.retryAfter} s)`;
    note(`lambkin: ${err.name}: ${err.message}${retry}`);
  } else if (err instanceof LambkinConnectionError || err instanceof UsageError) {
    note(`lambkin: ${err.message}`);
  } else {
    note(`lambkin: internal error (a bug; please report it):\n${err instanceof Error ? err.stack : String(err)}`);
  }
}
