/**
 * Verifies Cognito ID tokens with aws-jwt-verify (signature against the pool's JWKS, exp,
 * issuer, audience = app client, token_use = id) and keeps two failures apart:
 *
 * - the token is bad (forged, expired, wrong audience, unknown key): `{ denied }`, which
 *   the handler answers with Unauthorized (API Gateway: 401);
 * - the JWKS could not be had (timeout, refused connection, an HTTP error, not a JWKS):
 *   `JwksUnavailableError`, which the handler lets fail (API Gateway: 500). A caller with a
 *   good token must never be told that it is bad because the issuer was slow.
 *
 * The JWKS is fetched once per execution environment and kept; a failed fetch is not kept,
 * so the next invocation tries again. Each fetch gets a few attempts within the function's
 * timeout: a loaded machine or a cold network path is slow, not a reason to give up.
 */
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { JwksValidationError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

export class JwksUnavailableError extends Error {
  override readonly name = 'JwksUnavailableError';
}

export interface IdTokenVerifierOptions {
  issuer: string;
  audience: string;
  jwksUri: string;
  /** Per attempt (default 4000 ms). */
  fetchTimeoutMs?: number;
  /** Attempts per JWKS fetch (default 2: within the 10 s function timeout). */
  fetchAttempts?: number;
}

export type Verification = { claims: JwtPayload } | { denied: string };

/** Global fetch (the library's own fetcher refuses http, which the local issuer uses), with retries. */
export function jwksFetcher(timeoutMs: number, attempts: number): Fetcher {
  return {
    async fetch(uri: string): Promise<ArrayBuffer> {
      let last = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const res = await fetch(uri, { signal: AbortSignal.timeout(timeoutMs) });
          if (res.ok) return await res.arrayBuffer();
          last = `HTTP ${res.status}`;
        } catch (err) {
          last = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        }
        if (attempt < attempts) await new Promise((r) => setTimeout(r, 200 * attempt));
      }
      throw new JwksUnavailableError(`JWKS ${uri} unavailable after ${attempts} attempts (${last})`);
    },
  };
}

export function createIdTokenVerifier(o: IdTokenVerifierOptions): { verify(token: string): Promise<Verification> } {
  const verifier = JwtRsaVerifier.create(
    {
      issuer: o.issuer,
      audience: o.audience,
      jwksUri: o.jwksUri,
      // Access tokens carry client_id, not aud, and must not pass as identity.
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'id') throw new Error(`token_use must be id, got ${JSON.stringify(payload.token_use)}`);
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: jwksFetcher(o.fetchTimeoutMs ?? 4000, o.fetchAttempts ?? 2) }) },
  );
  return {
    async verify(token: string): Promise<Verification> {
      try {
        return { claims: await verifier.verify(token) };
      } catch (err) {
        if (err instanceof JwksUnavailableError) throw err;
        // Served, but not a JWKS: the issuer is broken, the token is not to blame.
        if (err instanceof JwksValidationError) throw new JwksUnavailableError(`JWKS ${o.jwksUri} is not a JWKS: ${err.message}`);
        return { denied: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
      }
    },
  };
}
