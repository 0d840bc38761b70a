/**
 * API Gateway TOKEN authorizer: verifies a Cognito id token (id-token-verifier.ts: aws-jwt-verify
 * against the pool's JWKS, exp, issuer, audience = app client, token_use = id). Issuer and
 * JWKS location come from the environment, so the local issuer's tokens verify with the
 * same code. The policy covers the whole API so API Gateway may cache it across routes;
 * role checks happen in the handlers, from the context returned here.
 *
 * A bad token is `Unauthorized` (401). A JWKS that cannot be fetched is an error of this
 * function (API Gateway answers 500 and does not cache it): never a 401 for a good token.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { createIdTokenVerifier, JwksUnavailableError } from './id-token-verifier';

const logger = new Logger();

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing required environment variable ${name}`);
  return value;
}

const createVerifier = () => createIdTokenVerifier({ issuer: required('JWT_ISSUER'), audience: required('USER_POOL_CLIENT_ID'), jwksUri: required('JWKS_URI') });

/** Created once per execution environment: the JWKS cache survives warm invocations. */
let verifier: ReturnType<typeof createVerifier> | undefined;

/** `arn:aws:execute-api:region:acct:apiId/stage/METHOD/path` → `.../apiId/stage/*\/*`. */
export function apiWideResource(methodArn: string): string {
  // The part before the first "/" already ends in the API id.
  const [apiArn, stage] = methodArn.split('/');
  if (!apiArn || !stage) return methodArn;
  return `${apiArn}/${stage}/*/*`;
}

function extractToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const match = /^Bearer\s+(.+)$/i.exec(trimmed);
  const token = match ? match[1]!.trim() : trimmed;
  return token === '' ? undefined : token;
}

export const handler = async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const token = extractToken(event.authorizationToken);
  if (!token) {
    logger.info('Denied: no token');
    throw new Error('Unauthorized');
  }
  verifier ??= createVerifier();
  let result: Awaited<ReturnType<typeof verifier.verify>>;
  try {
    result = await verifier.verify(token);
  } catch (err) {
    if (err instanceof JwksUnavailableError) logger.error('Cannot verify tokens: the JWKS is unavailable', { reason: err.message });
    throw err;
  }
  if ('denied' in result) {
    // The reason only: a token is a credential and never goes to the logs.
    logger.info('Denied: token verification failed', { reason: result.denied });
    throw new Error('Unauthorized');
  }
  const payload = result.claims;
  const sub = typeof payload.sub === 'string' ? payload.sub : '';
  if (!sub) {
    logger.info('Denied: token without sub');
    throw new Error('Unauthorized');
  }
  const rawGroups = payload['cognito:groups'];
  const groups = Array.isArray(rawGroups) ? rawGroups.map(String) : [];
  return {
    principalId: sub,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: apiWideResource(event.methodArn) }],
    },
    context: {
      sub,
      email: typeof payload.email === 'string' ? payload.email : '',
      groups: groups.join(','),
    },
  };
};
