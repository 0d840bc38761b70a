/**
 * API Gateway TOKEN authorizer: verifies a Cognito id token with aws-jwt-verify (signature
 * against the pool's JWKS, exp, issuer, audience = app client, token_use = id). Issuer and
 * JWKS location come from the environment, so the local issuer's tokens verify with the
 * same code. The policy covers the whole API so API Gateway may cache it across routes;
 * role checks happen in the handlers, from the context returned here.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { config } from '@myapp/shared/http';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';

const logger = new Logger();

/** Built on global fetch: the library's default fetcher refuses http (the local issuer). */
const fetchFetcher: Fetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const res = await fetch(uri, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`JWKS fetch failed with HTTP ${res.status}`);
    return res.arrayBuffer();
  },
};

function createVerifier() {
  return JwtRsaVerifier.create(
    {
      issuer: config.jwtIssuer(),
      audience: config.userPoolClientId(),
      jwksUri: config.jwksUri(),
      // Access tokens carry client_id, not aud, and must not pass as identity.
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'id') throw new Error(`token_use must be id, got ${String(payload.token_use)}`);
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: fetchFetcher }) },
  );
}

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
  let payload: Awaited<ReturnType<typeof verifier.verify>>;
  try {
    payload = await verifier.verify(token);
  } catch (err) {
    // The reason only: a token is a credential and never goes to the logs.
    logger.info('Denied: token verification failed', {
      reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    throw new Error('Unauthorized');
  }
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
