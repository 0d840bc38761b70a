/**
 * What API Gateway (REST) makes of a Lambda TOKEN authorizer's invocation:
 * - it threw "Unauthorized" (exactly): 401 `{"message":"Unauthorized"}` (UNAUTHORIZED);
 * - it failed any other way (another error, a timeout, a crash): 500 `{"message":null}`,
 *   `x-amzn-ErrorType: AuthorizerConfigurationException` (AUTHORIZER_FAILURE);
 * - it returned something that is not a policy (no principalId or policyDocument, a
 *   context value that is not a string, number or boolean): the same 500
 *   (AUTHORIZER_CONFIGURATION_ERROR).
 * Only a policy is cached; a failure is not, so the next request invokes the authorizer again.
 */
import type { InvokeResult } from '../contract';

export interface AuthorizerPolicy {
  principalId: string;
  policyDocument?: { Statement?: { Effect: string; Action?: string | string[]; Resource?: string | string[] }[] };
  context?: Record<string, unknown>;
}

export interface GatewayResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** Why, for the runtime's log (never shown to the caller, as in API Gateway). */
  log?: string;
}

export const UNAUTHORIZED: GatewayResponse = {
  status: 401,
  body: { message: 'Unauthorized' },
  headers: { 'x-amzn-errortype': 'UnauthorizedException' },
};
const authorizerError = (log: string): GatewayResponse => ({
  status: 500,
  body: { message: null },
  headers: { 'x-amzn-errortype': 'AuthorizerConfigurationException' },
  log,
});

export function authorizerOutcome(r: InvokeResult): { policy: AuthorizerPolicy } | { response: GatewayResponse } {
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
