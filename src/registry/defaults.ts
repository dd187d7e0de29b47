// A new function's configuration before its CreateFunction request is applied: Lambda's defaults
// (128 MB, 3 s, 512 MB of /tmp, plain-text logs in /aws/lambda/<name>), held once here for the API
// and the tests' fixtures.
import { DEFAULT_ROLE } from './arn.js';
import type { FunctionConfig } from './types.js';

/** The handler a function gets when CreateFunction names none. */
export const DEFAULT_HANDLER = 'lambda_function.lambda_handler';

export function defaultConfig(name: string, runtime: string): FunctionConfig {
  return {
    name,
    runtime,
    handler: DEFAULT_HANDLER,
    role: DEFAULT_ROLE,
    description: '',
    memorySize: 128,
    timeout: 3,
    ephemeralStorage: 512,
    environment: {},
    loggingConfig: { logFormat: 'Text', logGroup: `/aws/lambda/${name}`, enabled: true },
    sanitizeErrors: false,
  };
}
