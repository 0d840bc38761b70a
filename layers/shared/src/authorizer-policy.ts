/**
 * What the TOKEN authorizer hands API Gateway, beside callerOf in http.ts, which reads it back:
 * the bearer token from the header, and for a verified token an Allow policy for the whole API
 * (so API Gateway may cache it across routes) with `sub`, `email` and `groups` (comma-separated)
 * as the context. Role checks happen in the handlers, from that context.
 */
import type { APIGatewayAuthorizerResult } from 'aws-lambda';

/** The token of an `Authorization: Bearer <token>` header (a bare token is accepted too). */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const match = /^Bearer\s+(.+)$/i.exec(trimmed);
  const token = match ? match[1]!.trim() : trimmed;
  return token === '' ? undefined : token;
}

/** `arn:aws:execute-api:region:acct:apiId/stage/METHOD/path` → `.../apiId/stage/*\/*`. */
export function apiWideResource(methodArn: string): string {
  // The part before the first "/" already ends in the API id.
  const [apiArn, stage] = methodArn.split('/');
  if (!apiArn || !stage) return methodArn;
  return `${apiArn}/${stage}/*/*`;
}

/** The Allow answer for a verified id token's claims; undefined when it names no subject. */
export function allowPolicy(claims: Record<string, unknown>, methodArn: string): APIGatewayAuthorizerResult | undefined {
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  if (!sub) return undefined;
  const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].map(String) : [];
  return {
    principalId: sub,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: apiWideResource(methodArn) }],
    },
    context: { sub, email: typeof claims.email === 'string' ? claims.email : '', groups: groups.join(',') },
  };
}
