/**
 * API Gateway TOKEN authorizer: verifies a Cognito id token with aws-jwt-verify (signature
 * against the pool's JWKS, exp, issuer, audience = app client, token_use = id). Issuer and
 * JWKS location come from the environment, so the local issuer's tokens verify with the
 * same code. The policy covers the whole API so API Gateway may cache it across routes;
 * role checks happen in the handlers, from the context returned here.
 */
import { allowPolicy, bearerToken, config } from '@myapp/shared/http';
import { lambdaHandler, logger } from '@myapp/shared/lambda';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';

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
        if (payload.token_use !== 'id') throw new Error(`token_use must be id, got ${JSON.stringify(payload.token_use)}`);
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: fetchFetcher }) },
  );
}

/** Created once per execution environment: the JWKS cache survives warm invocations. */
let verifier: ReturnType<typeof createVerifier> | undefined;

export const handler = lambdaHandler(async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const token = bearerToken(event.authorizationToken);
  if (!token) {
    logger.info('Denied: no token');
    throw new Error('Unauthorized');
  }
  verifier ??= createVerifier();
  const claims = await verifier.verify(token).catch((err: unknown) => {
    // The reason only: a token is a credential and never goes to the logs.
    logger.info('Denied: token verification failed', { reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    return undefined;
  });
  const policy = claims && allowPolicy(claims, event.methodArn);
  if (!policy) {
    if (claims) logger.info('Denied: token without sub');
    throw new Error('Unauthorized');
  }
  return policy;
});
