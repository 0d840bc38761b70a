/**
 * What API Gateway (REST) makes of a Lambda TOKEN authorizer's invocation, as the gateway
 * response it answers with (gateway-responses.ts gives each type's status and body):
 * - it threw "Unauthorized" (exactly): UNAUTHORIZED (by default 401 `{"message":"Unauthorized"}`);
 * - it failed any other way (another error, a timeout, a crash), or returned something that
 *   is not a policy (no principalId or policyDocument, a context value that is not a string,
 *   number or boolean): AUTHORIZER_CONFIGURATION_ERROR (by default 500 `{"message":null}`,
 *   `x-amzn-ErrorType: AuthorizerConfigurationException`).
 * Only a policy is cached; a failure is not, so the next request invokes the authorizer again.
 */
import type { InvokeResult } from '../contract';
import type { ResponseType } from './gateway-responses';

export interface AuthorizerPolicy {
  principalId: string;
  policyDocument?: { Statement?: { Effect: string; Action?: string | string[]; Resource?: string | string[] }[] };
  context?: Record<string, unknown>;
}

export interface GatewayRefusal {
  type: ResponseType;
  /** Why, for the runtime's log (never shown to the caller, as in API Gateway). */
  log?: string;
}

export const UNAUTHORIZED: GatewayRefusal = { type: 'UNAUTHORIZED' };
const authorizerError = (log: string): GatewayRefusal => ({ type: 'AUTHORIZER_CONFIGURATION_ERROR', log });

export function authorizerOutcome(r: InvokeResult): { policy: AuthorizerPolicy } | { response: GatewayRefusal } {
  if (!r.ok) {
    if (r.error?.errorMessage === 'Unauthorized') return { response: UNAUTHORIZED };
    return { response: authorizerError(`authorizer failed: ${r.error?.errorType ?? 'Error'}: ${r.error?.errorMessage ?? 'no message'}`) };
  }
  const p = r.payload as Partial<AuthorizerPolicy> | null | undefined;
  if (!p || typeof p !== 'object' || typeof p.principalId !== 'string' || !p.policyDocument || !Array.isArray(p.policyDocument.Statement)) {
    return { response: authorizerError('authorizer returned no valid policy (principalId and policyDocument.Statement are required)') };
  }
  const badContext = Object.entries(p.context ?? {}).find(([, v]) => !['string', 'number', 'boolean'].includes(typeof v));
  if (badContext) return { response: authorizerError(`authorizer context value ${badContext[0]} is not a string, number or boolean`) };
  return { policy: p as AuthorizerPolicy };
}
