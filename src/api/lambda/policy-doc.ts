// Resource policies as Lambda shows them: a policy document (JSON text) whose statements are
// built from AddPermission / AddLayerVersionPermission's fields. lambkin stores and shows them;
// what it enforces is said in docs/compatibility.md.
import { apiError } from '../../errors.js';
import type { PolicyStatement, ResourcePolicy } from '../../registry/store.js';

/** At most this many statements per policy (Lambda caps the policy at 20 KB; this keeps it well under). */
export const MAX_STATEMENTS = 100;

/** A principal as a policy names it: a service, an account's root, an ARN, or anyone. */
export function principalOf(principal: string): string | Readonly<Record<string, string>> {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  return { Service: principal };
}

/** The policy document of `policy`, as GetPolicy and GetLayerVersionPolicy answer it. */
export function policyDocument(policy: ResourcePolicy): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: policy.statements });
}

export function noPolicy(): Error {
  return apiError('ResourceNotFoundException', 'No policy is associated with the given resource.');
}

export function checkRoom(statements: readonly PolicyStatement[]): void {
  if (statements.length >= MAX_STATEMENTS) {
    throw apiError('InvalidParameterValueException', `The policy already has ${MAX_STATEMENTS} statements, lambkin's limit: remove one first.`);
  }
}
