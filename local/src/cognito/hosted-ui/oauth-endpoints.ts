/**
 * Cognito's OAuth 2.0 / OIDC endpoints on the user pool domain: /oauth2/token
 * (authorization_code with PKCE, refresh_token), /oauth2/userInfo, /oauth2/revoke, and the
 * issuer's discovery document. Errors are RFC 6749 JSON (`{"error": ...}`), as Cognito's.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CognitoError } from '../errors';
import type { CognitoCore, Rec } from '../model';
import { redeemRefreshToken, revokeSignIns, scopesOf } from '../tokens';
import { findClient } from './authorize';
import type { HostedUiStore } from './store';

export interface OAuthResponse {
  status: number;
  body: Rec | '';
  headers?: Record<string, string>;
}

const oauthError = (error: string, description?: string, status = 400): OAuthResponse => ({
  status,
  body: { error, ...(description ? { error_description: description } : {}) },
});

/** client_id from the form, or from HTTP Basic (client_secret_basic). */
function clientIdOf(form: URLSearchParams, authorization: string | undefined): string {
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
  if (basic) return decodeURIComponent(Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0] ?? '');
  return form.get('client_id') ?? '';
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export class OAuthEndpoints {
  constructor(
    private core: CognitoCore,
    private store: HostedUiStore,
  ) {}

  /** The issuer's openid-configuration, with the endpoints on the pool's (local) domain. */
  discovery(poolId: string): Rec {
    const base = this.core.baseUrl;
    const issuer = this.core.issuer(poolId);
    return {
      authorization_endpoint: `${base}/oauth2/authorize`,
      end_session_endpoint: `${base}/logout`,
      id_token_signing_alg_values_supported: ['RS256'],
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code', 'token'],
      revocation_endpoint: `${base}/oauth2/revoke`,
      scopes_supported: ['openid', 'email', 'phone', 'profile'],
      subject_types_supported: ['public'],
      token_endpoint: `${base}/oauth2/token`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      userinfo_endpoint: `${base}/oauth2/userInfo`,
    };
  }

  async token(form: URLSearchParams, authorization: string | undefined): Promise<OAuthResponse> {
    const clientId = clientIdOf(form, authorization);
    const found = findClient(this.core.pools, clientId);
    if (!found) return oauthError('invalid_client');
    if (!found.client.oauth.enabled) return oauthError('unauthorized_client');
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') return this.codeGrant(form, clientId);
    if (grant === 'refresh_token') return this.refreshGrant(form, clientId);
    return oauthError(grant ? 'unsupported_grant_type' : 'invalid_request');
  }

  private async codeGrant(form: URLSearchParams, clientId: string): Promise<OAuthResponse> {
    const code = this.store.codes.take(form.get('code') ?? undefined);
    if (!code || code.clientId !== clientId) return oauthError('invalid_grant');
    if (form.get('redirect_uri') !== code.redirectUri)
      return oauthError('invalid_grant', 'redirect_uri does not match the authorization request');
    if (code.codeChallenge) {
      const verifier = form.get('code_verifier') ?? '';
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || s256(verifier) !== code.codeChallenge)
        return oauthError('invalid_grant', 'code_verifier does not match the code_challenge');
    }
    const pool = this.core.pools[code.poolId]!;
    const user = this.core.findUser(this.core.poolState(pool.id), code.username);
    if (!user || !user.enabled) return oauthError('invalid_grant');
    const session = { authTime: code.authTime, originJti: randomUUID(), scope: code.scopes, ...(code.nonce ? { nonce: code.nonce } : {}) };
    const t = await this.core.tokens(pool, clientId, user, session, true);
    return {
      status: 200,
      body: {
        id_token: t.IdToken,
        access_token: t.AccessToken,
        refresh_token: t.RefreshToken!,
        expires_in: t.ExpiresIn,
        token_type: 'Bearer',
      },
    };
  }

  private async refreshGrant(form: URLSearchParams, clientId: string): Promise<OAuthResponse> {
    const { pool } = findClient(this.core.pools, clientId)!;
    const ps = this.core.poolState(pool.id);
    let redeemed: ReturnType<typeof redeemRefreshToken>;
    try {
      redeemed = redeemRefreshToken(ps, form.get('refresh_token') ?? '', clientId);
    } catch {
      return oauthError('invalid_grant');
    }
    const user = this.core.findUser(ps, redeemed.username);
    if (!user || !user.enabled) return oauthError('invalid_grant');
    const t = await this.core.tokens(pool, clientId, user, redeemed.session, false);
    return { status: 200, body: { id_token: t.IdToken, access_token: t.AccessToken, expires_in: t.ExpiresIn, token_type: 'Bearer' } };
  }

  /** The user's claims for an access token with the openid scope, filtered by its scopes. */
  async userInfo(authorization: string | undefined): Promise<OAuthResponse> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
    const unauthorized = (description: string) => ({
      ...oauthError('invalid_token', description, 401),
      headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` },
    });
    let checked: Awaited<ReturnType<CognitoCore['verifyAccessToken']>>;
    try {
      checked = await this.core.verifyAccessToken(token);
    } catch (e) {
      if (e instanceof CognitoError)
        return unauthorized('Access token is expired, disabled, or deleted, or the user has globally signed out.');
      throw e;
    }
    const scopes = scopesOf(checked.claims);
    const all = scopes.includes('aws.cognito.signin.user.admin');
    if (!all && !scopes.includes('openid')) return oauthError('insufficient_scope', 'The access token has no openid scope', 403);
    const a = checked.user.attributes;
    const pick = (names: string[]) => Object.fromEntries(names.filter((n) => a[n] !== undefined).map((n) => [n, a[n]!]));
    return {
      status: 200,
      body: {
        sub: checked.user.sub,
        ...(all || scopes.includes('email') ? pick(['email', 'email_verified']) : {}),
        ...(all || scopes.includes('profile')
          ? pick([
              'name',
              'given_name',
              'family_name',
              'middle_name',
              'nickname',
              'preferred_username',
              'profile',
              'picture',
              'website',
              'gender',
              'birthdate',
              'zoneinfo',
              'locale',
              'updated_at',
            ])
          : {}),
        ...(all || scopes.includes('phone') ? pick(['phone_number', 'phone_number_verified']) : {}),
        username: checked.user.username,
      },
    };
  }

  /** RFC 7009: a refresh token ends its sign-in; an unknown token is a quiet success. */
  revoke(form: URLSearchParams, authorization: string | undefined): OAuthResponse {
    const clientId = clientIdOf(form, authorization);
    const found = findClient(this.core.pools, clientId);
    if (!found) return oauthError('invalid_client');
    const token = form.get('token') ?? '';
    if (!token) return oauthError('invalid_request');
    if (token.split('.').length === 3) return oauthError('unsupported_token_type');
    const ps = this.core.poolState(found.pool.id);
    const rec = ps.refreshTokens[token];
    if (rec && rec.clientId === clientId) {
      revokeSignIns(ps, found.pool, [rec.originJti]);
      this.core.save();
    }
    return { status: 200, body: '' };
  }
}
