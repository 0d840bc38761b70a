/**
 * Tokens with Cognito's claim shapes, signed RS256 with the state dir's key: ID and access
 * tokens (JWT) and opaque refresh tokens looked up in the pool's store. A sign-in is one
 * origin_jti; revoking it (GlobalSignOut, RevokeToken) ends its refresh token and makes
 * its access tokens fail where Cognito checks them (GetUser, userInfo, ...).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type CryptoKey, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { CognitoError, MESSAGES } from './errors';
import type { AuthenticationResult, PoolDef, PoolState, Rec, SignInSession, User } from './model';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey | Uint8Array;
  jwk: JWK;
}

/** The scope of an access token from the Cognito API (not the hosted UI). */
export const API_SCOPE = 'aws.cognito.signin.user.admin';

/** at_hash: the left half of SHA-256 of the access token, base64url (OIDC Core 3.1.3.6). */
const atHash = (accessToken: string) => createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

function idClaims(u: User, session: SignInSession, eventId: string): Rec {
  return {
    ...(u.groups.length ? { 'cognito:groups': [...u.groups] } : {}),
    email_verified: u.attributes.email_verified === 'true',
    'cognito:username': u.username,
    origin_jti: session.originJti,
    event_id: eventId,
    token_use: 'id',
    auth_time: session.authTime,
    ...(session.nonce ? { nonce: session.nonce } : {}),
    ...(u.attributes.email ? { email: u.attributes.email } : {}),
    ...Object.fromEntries(Object.entries(u.attributes).filter(([k]) => k.startsWith('custom:') || k === 'name')),
  };
}

export interface MintInput {
  key: SigningKey;
  issuer: string;
  pool: PoolDef;
  clientId: string;
  user: User;
  session: SignInSession;
}

export async function mintTokens(m: MintInput): Promise<AuthenticationResult> {
  const client = m.pool.clients[m.clientId]!;
  const now = Math.floor(Date.now() / 1000);
  const eventId = randomUUID();
  const sign = (claims: Rec, lifetimeMinutes: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: m.key.kid })
      .setSubject(m.user.sub)
      .setIssuer(m.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + Math.round(lifetimeMinutes * 60))
      .setJti(randomUUID())
      .sign(m.key.privateKey);
  const accessToken = await sign(
    {
      ...(m.user.groups.length ? { 'cognito:groups': [...m.user.groups] } : {}),
      version: 2,
      client_id: m.clientId,
      origin_jti: m.session.originJti,
      event_id: eventId,
      token_use: 'access',
      scope: m.session.scope?.join(' ') ?? API_SCOPE,
      auth_time: m.session.authTime,
      username: m.user.username,
    },
    client.accessMinutes,
  );
  // Tokens from the OAuth endpoints bind the ID token to its access token, as Cognito's do.
  const idToken = await sign(
    { ...idClaims(m.user, m.session, eventId), aud: m.clientId, ...(m.session.scope ? { at_hash: atHash(accessToken) } : {}) },
    client.idMinutes,
  );
  return { AccessToken: accessToken, IdToken: idToken, ExpiresIn: Math.round(client.accessMinutes * 60), TokenType: 'Bearer' };
}

/** A new opaque refresh token for a sign-in (Cognito's are encrypted blobs; a random handle here). */
export function issueRefreshToken(ps: PoolState, pool: PoolDef, clientId: string, u: User, session: SignInSession): string {
  // Expired ones go, so the store does not grow with every sign-in forever.
  for (const [token, rec] of Object.entries(ps.refreshTokens)) if (rec.expires < Date.now()) delete ps.refreshTokens[token];
  const rt = randomBytes(48).toString('base64url');
  ps.refreshTokens[rt] = {
    username: u.username,
    clientId,
    originJti: session.originJti,
    authTime: session.authTime,
    expires: Date.now() + pool.clients[clientId]!.refreshDays * 86400_000,
    ...(session.scope ? { scope: session.scope } : {}),
  };
  return rt;
}

/** The sign-in behind a live refresh token of this client, or Cognito's NotAuthorizedException. */
export function redeemRefreshToken(ps: PoolState, token: string, clientId: string): { username: string; session: SignInSession } {
  const rt = ps.refreshTokens[token];
  if (!rt || rt.expires < Date.now() || rt.clientId !== clientId || ps.revokedOrigins?.[rt.originJti]) {
    throw new CognitoError('NotAuthorizedException', MESSAGES.invalidRefreshToken);
  }
  return { username: rt.username, session: { authTime: rt.authTime, originJti: rt.originJti, ...(rt.scope ? { scope: rt.scope } : {}) } };
}

/**
 * Ends sign-ins: their refresh tokens go, and their origin_jti is remembered until the
 * longest-lived access token of the pool has expired.
 */
export function revokeSignIns(ps: PoolState, pool: PoolDef, originJtis: Iterable<string>): void {
  const maxAccessMs = Math.max(60, ...Object.values(pool.clients).map((c) => c.accessMinutes)) * 60_000;
  const revoked = (ps.revokedOrigins ??= {});
  const ids = new Set(originJtis);
  for (const id of ids) revoked[id] = Date.now() + maxAccessMs;
  for (const [rt, rec] of Object.entries(ps.refreshTokens)) if (ids.has(rec.originJti)) delete ps.refreshTokens[rt];
  for (const [id, until] of Object.entries(revoked)) if (until < Date.now()) delete revoked[id];
}

/** Every sign-in of a user (GlobalSignOut). */
export function signInsOf(ps: PoolState, u: User): string[] {
  return Object.values(ps.refreshTokens)
    .filter((r) => r.username === u.username)
    .map((r) => r.originJti);
}

export interface AccessTokenCheck {
  key: SigningKey;
  pools: PoolDef[];
  issuer(poolId: string): string;
  poolState(poolId: string): PoolState;
  findUser(ps: PoolState, name: string): User | undefined;
}

/** The scopes an access token carries (none when its `scope` claim is missing or not text). */
export function scopesOf(claims: Rec): string[] {
  return typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
}

/** An access token Cognito would accept for GetUser and the like: signed, live, not revoked. */
export async function verifyAccessToken(
  c: AccessTokenCheck,
  token: string,
  requiredScope?: string,
): Promise<{ pool: PoolDef; user: User; claims: Rec }> {
  const publicKey = await importJWK(c.key.jwk, 'RS256');
  for (const pool of c.pools) {
    let claims: Rec;
    try {
      ({ payload: claims } = await jwtVerify(token, publicKey, { issuer: c.issuer(pool.id), algorithms: ['RS256'] }));
    } catch {
      continue;
    }
    if (claims.token_use !== 'access') break;
    const ps = c.poolState(pool.id);
    if (ps.revokedOrigins?.[String(claims.origin_jti)]) throw new CognitoError('NotAuthorizedException', MESSAGES.revokedAccessToken);
    // A hosted UI token without aws.cognito.signin.user.admin cannot call the user operations.
    if (requiredScope && !scopesOf(claims).includes(requiredScope))
      throw new CognitoError('NotAuthorizedException', 'Access Token does not have required scopes');
    const user = c.findUser(ps, String(claims.username));
    if (user) return { pool, user, claims };
  }
  throw new CognitoError('NotAuthorizedException', MESSAGES.invalidAccessToken);
}
