// The forms a function may be named by, as Lambda takes them in a path or a body:
// `my-fn`, `my-fn:qualifier`, `000000000000:function:my-fn[:q]`, and the full
// `arn:aws:lambda:us-east-1:000000000000:function:my-fn[:q]`.
import { apiError } from '../../errors.js';
import { ACCOUNT_ID, type Arns } from '../../registry/arn.js';
import { functionNotFound, type Registry } from '../../registry/registry.js';
import type { FunctionRecord, Resolved } from '../../registry/types.js';

/** Lambda's FunctionName pattern (botocore), shown as is in validation messages. */
export const FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
const FUNCTION_NAME_RE = new RegExp(`^${FUNCTION_NAME_PATTERN}$`);
/** An ARN may be up to 140 characters (170 in a path); the name itself up to 64. */
const MAX_RAW_LENGTH = 170;
const MAX_NAME_LENGTH = 64;

export interface FunctionName {
  readonly name: string;
  readonly qualifier?: string;
}

function invalid(raw: string, constraint: string): Error {
  return apiError(
    'ValidationException',
    `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: ${constraint}`,
  );
}

/**
 * Split a function name as given (path parameter, already percent-decoded, or body field) into
 * the plain name and its qualifier. Throws ValidationException for a malformed name and
 * InvalidParameterValueException for an ARN naming another region or account.
 */
export function parseFunctionName(arns: Arns, raw: string, maxLength: number = MAX_RAW_LENGTH): FunctionName {
  if (raw.length < 1) throw invalid(raw, 'Member must have length greater than or equal to 1');
  if (raw.length > maxLength) throw invalid(raw, `Member must have length less than or equal to ${maxLength}`);
  const m = FUNCTION_NAME_RE.exec(raw);
  if (!m) throw invalid(raw, `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`);
  const region = m[3]?.slice(0, -1);
  const account = m[5]?.slice(0, -1);
  const name = m[7] as string;
  const qualifier = m[9];
  if (name.length > MAX_NAME_LENGTH) throw invalid(raw, `Member must have length less than or equal to ${MAX_NAME_LENGTH}`);
  if ((region !== undefined && region !== arns.region) || (account !== undefined && account !== ACCOUNT_ID)) {
    throw apiError(
      'InvalidParameterValueException',
      `The function ARN names region ${region ?? arns.region} and account ${account ?? ACCOUNT_ID}; this server is region ${arns.region}, account ${ACCOUNT_ID}.`,
    );
  }
  return qualifier === undefined ? { name } : { name, qualifier };
}

/**
 * The qualifier a request means, from the name (`my-fn:q`) and/or a `Qualifier` query parameter;
 * both may be given only if they agree (Lambda's rule).
 */
export function resolveQualifier(fromName: string | undefined, fromQuery: string | null): string | undefined {
  const query = fromQuery ?? undefined;
  if (fromName !== undefined && query !== undefined && fromName !== query) {
    throw apiError('InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
  }
  return fromName ?? query;
}

/**
 * The version a path's `{name}` (and `?Qualifier=`) designates — $LATEST, a published version,
 * or the version an alias points at — or ResourceNotFoundException.
 */
export function findFunction(registry: Registry, raw: string, queryQualifier: string | null): FunctionRecord {
  return findQualified(registry, raw, queryQualifier).resolved.record;
}

export interface Qualified {
  readonly name: string;
  /** As given: undefined (unqualified), '$LATEST', a version number or an alias name. */
  readonly qualifier: string | undefined;
  readonly resolved: Resolved;
}

/** Like findFunction, keeping the name, the qualifier as given and the alias (if one was named). */
export function findQualified(registry: Registry, raw: string, queryQualifier: string | null): Qualified {
  const { name, qualifier } = parseFunctionName(registry.arns, raw);
  const wanted = resolveQualifier(qualifier, queryQualifier);
  const resolved = registry.resolve(name, wanted);
  if (!resolved) throw functionNotFound(registry.arns, name, wanted);
  return { name, qualifier: wanted, resolved };
}

/** The name of a function an update is for; updates apply to $LATEST, never to a qualified name. */
export function unqualifiedName(arns: Arns, raw: string): string {
  const { name, qualifier } = parseFunctionName(arns, raw);
  if (qualifier !== undefined) {
    throw apiError('InvalidParameterValueException', `Only the unpublished version ($LATEST) can be changed: name the function without a qualifier (got '${raw}').`);
  }
  return name;
}
