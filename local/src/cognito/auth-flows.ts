/**
 * Cognito's sign-in operations: InitiateAuth and AdminInitiateAuth (USER_SRP_AUTH,
 * USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH) and
 * RespondToAuthChallenge (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED), device-less, with the
 * client's ExplicitAuthFlows and PreventUserExistenceErrors honoured and Cognito's errors.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CognitoError, MESSAGES } from './errors';
import { passwordOk, poolName, setPassword } from './credentials';
import type { ClientDef, CognitoCore, PoolDef, Rec, User } from './model';
import { checkPasswordPolicy } from './password';
import { createPasswordVerifier, parseCognitoTimestamp, serverEphemeral, verifyPasswordClaim, type PasswordVerifier, type ServerEphemeral } from './srp';
import { redeemRefreshToken } from './tokens';

/** AuthSessionValidity's default: a challenge must be answered within 3 minutes. */
const CHALLENGE_TTL_MS = 3 * 60_000;
/** How far a PASSWORD_VERIFIER TIMESTAMP may be from the server's clock. */
const CLOCK_SKEW_MS = 5 * 60_000;

interface PendingSrp {
  poolId: string;
  clientId: string;
  /** undefined: an unknown user answered with a decoy challenge (PreventUserExistenceErrors). */
  username?: string;
  userId: string;
  A: string;
  ephemeral: ServerEphemeral;
  verifier: PasswordVerifier;
  expires: number;
}

interface PendingNewPassword {
  poolId: string;
  clientId: string;
  username: string;
  expires: number;
}

type Params = Record<string, string | undefined>;

/** Which AuthFlow values a client's ExplicitAuthFlows let through (old-style values included). */
export function flowAllowed(client: ClientDef, flow: string): boolean {
  const set = new Set(client.flows);
  // Without ALLOW_ values (none, or the legacy names) SRP and refresh are always on.
  const legacy = client.flows.length === 0 || client.flows.some((f) => !f.startsWith('ALLOW_'));
  switch (flow) {
    case 'USER_SRP_AUTH':
      return legacy || set.has('ALLOW_USER_SRP_AUTH');
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN':
      return legacy || set.has('ALLOW_REFRESH_TOKEN_AUTH');
    case 'USER_PASSWORD_AUTH':
      return set.has('ALLOW_USER_PASSWORD_AUTH') || set.has('USER_PASSWORD_AUTH');
    case 'ADMIN_USER_PASSWORD_AUTH':
    case 'ADMIN_NO_SRP_AUTH':
      return set.has('ALLOW_ADMIN_USER_PASSWORD_AUTH') || set.has('ADMIN_NO_SRP_AUTH');
    default:
      return false;
  }
}

export class AuthFlows {
  private srp = new Map<string, PendingSrp>();
  private newPassword = new Map<string, PendingNewPassword>();

  constructor(private core: CognitoCore) {}

  initiateAuth(b: Rec): Promise<Rec> {
    const { pool, client } = this.core.poolOfClient(String(b.ClientId));
    return this.start(pool, client, String(b.ClientId), String(b.AuthFlow), (b.AuthParameters ?? {}) as Params);
  }

  adminInitiateAuth(b: Rec): Promise<Rec> {
    const { pool, client } = this.core.poolOfClient(String(b.ClientId));
    if (pool.id !== b.UserPoolId) throw new CognitoError('ResourceNotFoundException', `User pool client ${String(b.ClientId)} does not exist.`);
    return this.start(pool, client, String(b.ClientId), String(b.AuthFlow), (b.AuthParameters ?? {}) as Params);
  }

  /** Amplify v6 refreshes with this (no RefreshTokenRotation in the template: no new refresh token). */
  async getTokensFromRefreshToken(b: Rec): Promise<Rec> {
    const clientId = String(b.ClientId);
    const { pool, client } = this.core.poolOfClient(clientId);
    if (!flowAllowed(client, 'REFRESH_TOKEN_AUTH')) throw new CognitoError('InvalidParameterException', 'REFRESH_TOKEN_AUTH flow not enabled for this client');
    const { AuthenticationResult } = await this.refresh(pool, clientId, { REFRESH_TOKEN: String(b.RefreshToken ?? '') });
    return { AuthenticationResult };
  }

  private async start(pool: PoolDef, client: ClientDef, clientId: string, flow: string, p: Params): Promise<Rec> {
    if (!flowAllowed(client, flow)) {
      const known = ['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN', 'USER_PASSWORD_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'];
      throw new CognitoError('InvalidParameterException', known.includes(flow) ? `${flow} flow not enabled for this client` : `AuthFlow ${flow} is not supported by the local Cognito endpoint`);
    }
    if (flow === 'USER_SRP_AUTH') return this.srpChallenge(pool, clientId, client, p);
    if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') return this.refresh(pool, clientId, p);
    const u = this.checkPassword(pool, client, p.USERNAME ?? '', p.PASSWORD ?? '');
    return this.complete(pool, clientId, u);
  }

  /** The user whose password this is, or Cognito's error for a wrong one. */
  checkPassword(pool: PoolDef, client: ClientDef, username: string, password: string): User {
    const u = this.core.findUser(this.core.poolState(pool.id), username);
    if (!u && !client.preventUserExistenceErrors) throw new CognitoError('UserNotFoundException', MESSAGES.userNotFound);
    if (!u || !passwordOk(pool, u, password)) throw new CognitoError('NotAuthorizedException', MESSAGES.badCredentials);
    this.core.save(); // a legacy hash may have become a verifier
    return u;
  }

  /** After a proven password: tokens, or the challenge the user's status calls for. */
  async complete(pool: PoolDef, clientId: string, u: User): Promise<Rec> {
    if (!u.enabled) throw new CognitoError('NotAuthorizedException', MESSAGES.disabled);
    if (u.status === 'UNCONFIRMED') throw new CognitoError('UserNotConfirmedException', MESSAGES.notConfirmed);
    if (u.status === 'RESET_REQUIRED') throw new CognitoError('PasswordResetRequiredException', 'Password reset required for the user');
    if (u.status === 'FORCE_CHANGE_PASSWORD') {
      const session = randomBytes(48).toString('base64');
      this.newPassword.set(session, { poolId: pool.id, clientId, username: u.username, expires: Date.now() + CHALLENGE_TTL_MS });
      const { sub: _sub, email_verified: _ev, ...attrs } = u.attributes;
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: session,
        ChallengeParameters: { USER_ID_FOR_SRP: u.username, requiredAttributes: '[]', userAttributes: JSON.stringify(attrs) },
      };
    }
    const result = await this.core.tokens(pool, clientId, u, { authTime: Math.floor(Date.now() / 1000), originJti: randomUUID() }, true);
    return { AuthenticationResult: result, ChallengeParameters: {} };
  }

  private async refresh(pool: PoolDef, clientId: string, p: Params): Promise<Rec> {
    const ps = this.core.poolState(pool.id);
    const { username, session } = redeemRefreshToken(ps, p.REFRESH_TOKEN ?? '', clientId);
    const u = this.core.mustUser(ps, username);
    if (!u.enabled) throw new CognitoError('NotAuthorizedException', MESSAGES.disabled);
    return { AuthenticationResult: await this.core.tokens(pool, clientId, u, session, false), ChallengeParameters: {} };
  }

  private srpChallenge(pool: PoolDef, clientId: string, client: ClientDef, p: Params): Rec {
    if (!p.USERNAME) throw new CognitoError('InvalidParameterException', 'Missing required parameter USERNAME');
    if (!p.SRP_A || !/^[0-9a-fA-F]+$/.test(p.SRP_A)) throw new CognitoError('InvalidParameterException', 'Missing required parameter SRP_A');
    this.prune();
    const u = this.core.findUser(this.core.poolState(pool.id), p.USERNAME);
    if (!u && !client.preventUserExistenceErrors) throw new CognitoError('UserNotFoundException', MESSAGES.userNotFound);
    if (u && !u.srp) this.core.log(`${u.attributes.email ?? u.username} has no SRP verifier yet (a state dir from before SRP): sign in once with USER_PASSWORD_AUTH or the hosted UI, or set the password again`);
    // An unknown user (or one without a verifier) gets a challenge no password can answer.
    const userId = u?.username ?? p.USERNAME;
    const verifier = u?.srp ?? createPasswordVerifier(poolName(pool), userId, randomBytes(32).toString('hex'));
    const ephemeral = serverEphemeral(verifier);
    const secretBlock = randomBytes(96).toString('base64');
    this.srp.set(secretBlock, { poolId: pool.id, clientId, ...(u ? { username: u.username } : {}), userId, A: p.SRP_A, ephemeral, verifier, expires: Date.now() + CHALLENGE_TTL_MS });
    return {
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeParameters: { SALT: verifier.salt, SECRET_BLOCK: secretBlock, SRP_B: ephemeral.B, USERNAME: userId, USER_ID_FOR_SRP: userId },
    };
  }

  async respondToAuthChallenge(b: Rec): Promise<Rec> {
    const clientId = String(b.ClientId);
    const { pool } = this.core.poolOfClient(clientId);
    const r = (b.ChallengeResponses ?? {}) as Params;
    switch (String(b.ChallengeName)) {
      case 'PASSWORD_VERIFIER':
        return this.passwordVerifier(pool, clientId, r);
      case 'NEW_PASSWORD_REQUIRED':
        return this.newPasswordRequired(pool, clientId, String(b.Session ?? ''), r);
      default:
        throw new CognitoError('InvalidParameterException', `ChallengeName ${String(b.ChallengeName)} is not supported by the local Cognito endpoint (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED are)`);
    }
  }

  private async passwordVerifier(pool: PoolDef, clientId: string, r: Params): Promise<Rec> {
    for (const k of ['PASSWORD_CLAIM_SECRET_BLOCK', 'PASSWORD_CLAIM_SIGNATURE', 'TIMESTAMP', 'USERNAME'] as const) {
      if (!r[k]) throw new CognitoError('InvalidParameterException', `Missing required parameter ${k}`);
    }
    const pending = this.srp.get(r.PASSWORD_CLAIM_SECRET_BLOCK!);
    // One answer per challenge, right or wrong.
    this.srp.delete(r.PASSWORD_CLAIM_SECRET_BLOCK!);
    if (!pending || pending.expires < Date.now() || pending.clientId !== clientId || pending.poolId !== pool.id) {
      throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    }
    const at = parseCognitoTimestamp(r.TIMESTAMP!);
    if (!at || Math.abs(at.getTime() - Date.now()) > CLOCK_SKEW_MS) throw new CognitoError('NotAuthorizedException', MESSAGES.badCredentials);
    const ok = verifyPasswordClaim({
      poolName: poolName(pool),
      userId: pending.userId,
      A: pending.A,
      ephemeral: pending.ephemeral,
      verifier: pending.verifier,
      secretBlock: r.PASSWORD_CLAIM_SECRET_BLOCK!,
      timestamp: r.TIMESTAMP!,
      signature: r.PASSWORD_CLAIM_SIGNATURE!,
    });
    const u = pending.username ? this.core.findUser(this.core.poolState(pool.id), pending.username) : undefined;
    if (!ok || !u) throw new CognitoError('NotAuthorizedException', MESSAGES.badCredentials);
    return this.complete(pool, clientId, u);
  }

  private async newPasswordRequired(pool: PoolDef, clientId: string, session: string, r: Params): Promise<Rec> {
    const pending = this.newPassword.get(session);
    if (!pending || pending.expires < Date.now() || pending.clientId !== clientId) throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    const ps = this.core.poolState(pool.id);
    const u = this.core.mustUser(ps, pending.username);
    if (!r.NEW_PASSWORD) throw new CognitoError('InvalidParameterException', 'Missing required parameter NEW_PASSWORD');
    const err = checkPasswordPolicy(r.NEW_PASSWORD, pool.policy);
    if (err) throw new CognitoError('InvalidPasswordException', err);
    for (const [k, v] of Object.entries(r)) {
      const name = k.startsWith('userAttributes.') ? k.slice('userAttributes.'.length) : undefined;
      if (!name || v === undefined) continue;
      if (name === 'sub' || (name === 'email' && pool.emailAsUsername)) throw new CognitoError('NotAuthorizedException', `Cannot modify an already provided ${name}`);
      u.attributes[name] = v;
    }
    this.newPassword.delete(session);
    setPassword(pool, u, r.NEW_PASSWORD);
    u.status = 'CONFIRMED';
    this.core.save();
    return this.complete(pool, clientId, u);
  }

  private prune(): void {
    const now = Date.now();
    for (const [k, v] of this.srp) if (v.expires < now) this.srp.delete(k);
    for (const [k, v] of this.newPassword) if (v.expires < now) this.newPassword.delete(k);
  }
}
