// What a call that must fail fails with: the tests' one helper for it. A success fails the test.
import { ApiError } from '../../src/errors.js';

/** An AWS SDK error as the tests look at it: its name, message, HTTP status and Lambda's Type. */
export type SdkError = Error & { $metadata: { httpStatusCode?: number }; Type?: string };

/** The error `work` (a promise, or a function called now) fails with. */
export async function failure<E = SdkError>(work: Promise<unknown> | (() => unknown)): Promise<E> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    return err as E;
  }
  throw new Error('expected a failure');
}

/** The same, when only an error of class `type` will do (e.g. ApiError); any other is thrown on. */
export async function failureOf<E extends Error>(type: abstract new (...args: never[]) => E, work: Promise<unknown> | (() => unknown)): Promise<E> {
  const err = await failure<unknown>(work);
  if (err instanceof type) return err;
  throw err;
}

/** The ApiError (lambkin's own error, thrown in-process by the registry and api/) that `work` fails with. */
export function apiFailure(work: Promise<unknown> | (() => unknown)): Promise<ApiError> {
  return failureOf(ApiError, work);
}
