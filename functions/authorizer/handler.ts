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
import { allowPolicy, bearerToken, config } from '@myapp/shared/http';
import { lambdaHandler, logger, once } from '@myapp/shared/lambda';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { createIdTokenVerifier, JwksUnavailableError } from './id-token-verifier';

/** Made once per execution environment: the JWKS it fetched survives warm invocations. */
const verifier = once(() =>
  createIdTokenVerifier({ issuer: config.jwtIssuer(), audience: config.userPoolClientId(), jwksUri: config.jwksUri() }),
);

export const handler = lambdaHandler(async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const token = bearerToken(event.authorizationToken);
  if (!token) {
    logger.info('Denied: no token');
    throw new Error('Unauthorized');
  }
  const result = await verifier()
    .verify(token)
    .catch((err: unknown) => {
      if (err instanceof JwksUnavailableError) logger.error('Cannot verify tokens: the JWKS is unavailable', { reason: err.message });
      throw err;
    });
  if ('denied' in result) {
    // The reason only: a token is a credential and never goes to the logs.
    logger.info('Denied: token verification failed', { reason: result.denied });
    throw new Error('Unauthorized');
  }
  const policy = allowPolicy(result.claims, event.methodArn);
  if (!policy) {
    logger.info('Denied: token without sub');
    throw new Error('Unauthorized');
  }
  return policy;
});
