/**
 * Cognito's sign-in operations: InitiateAuth and AdminInitiateAuth, whose flows are
 * registered by name in AUTH_FLOWS (USER_SRP_AUTH, USER_PASSWORD_AUTH,
 * ADMIN_USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH), and RespondToAuthChallenge, whose
 * challenges are registered in CHALLENGES (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED);
 * device-less, with the client's ExplicitAuthFlows and PreventUserExistenceErrors honoured
 * and Cognito's errors. A new flow is a function here plus one line in AUTH_FLOWS.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { stringMember } from '../protocol';
import { CognitoError, MESSAGES } from './errors';
import { passwordOk, poolName, setPassword } from './credentials';
import type { ClientDef, CognitoCore, CognitoOperation, PoolDef, Rec, User } from './model';
import { checkPasswordPolicy } from './password';
import {
  createPasswordVerifier,
  parseCognitoTimestamp,
  serverEphemeral,
  verifyPasswordClaim,
  type PasswordVerifier,
  type ServerEphemeral,
} from './srp';
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

/** Challenges issued and not yet answered, in memory as Cognito's sessions are short-lived. */
export class PendingChallenges {
  readonly srp = new Map<string, PendingSrp>();
  readonly newPassword = new Map<string, PendingNewPassword>();

  prune(): void {
    const now = Date.now();
    for (const [k, v] of this.srp) if (v.expires < now) this.srp.delete(k);
    for (const [k, v] of this.newPassword) if (v.expires < now) this.newPassword.delete(k);
  }
}

type Params = Record<string, string | undefined>;

/** A sign-in as a flow starts it: the app client and its AuthParameters. */
export interface FlowStart {
  pool: PoolDef;
  client: ClientDef;
  clientId: string;
  params: Params;
}

/** An answer to a challenge: the session (NEW_PASSWORD_REQUIRED) and the ChallengeResponses. */
export interface ChallengeAnswer {
  pool: PoolDef;
  clientId: string;
  session: string;
  responses: Params;
}

export interface AuthFlow {
  run(c: CognitoCore, s: FlowStart): Rec | Promise<Rec>;
  /** The ExplicitAuthFlows values that allow it (old-style names included). */
  enabledBy: readonly string[];
  /** Allowed when the client lists no ALLOW_ values (none, or only the legacy names). */
  withoutAllowList?: boolean;
}

/** The user whose password this is, or Cognito's error for a wrong one. */
export function checkPassword(c: CognitoCore, pool: PoolDef, client: ClientDef, username: string, password: string): User {
  const u = c.findUser(c.poolState(pool.id), username);
  if (!u && !client.preventUserExistenceErrors) throw new CognitoError('UserNotFoundException', MESSAGES.userNotFound);
  if (!u || !passwordOk(pool, u, password)) throw new CognitoError('NotAuthorizedException', MESSAGES.badCredentials);
  c.save(); // a legacy hash may have become a verifier
  return u;
}

/** After a proven password: tokens, or the challenge the user's status calls for. */
export async function completeSignIn(c: CognitoCore, pool: PoolDef, clientId: string, u: User): Promise<Rec> {
  if (!u.enabled) throw new CognitoError('NotAuthorizedException', MESSAGES.disabled);
  if (u.status === 'UNCONFIRMED') throw new CognitoError('UserNotConfirmedException', MESSAGES.notConfirmed);
  if (u.status === 'RESET_REQUIRED') throw new CognitoError('PasswordResetRequiredException', 'Password reset required for the user');
  if (u.status === 'FORCE_CHANGE_PASSWORD') {
    const session = randomBytes(48).toString('base64');
    c.challenges.newPassword.set(session, { poolId: pool.id, clientId, username: u.username, expires: Date.now() + CHALLENGE_TTL_MS });
    const { sub: _sub, email_verified: _ev, ...attrs } = u.attributes;
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: session,
      ChallengeParameters: { USER_ID_FOR_SRP: u.username, requiredAttributes: '[]', userAttributes: JSON.stringify(attrs) },
    };
  }
  const result = await c.tokens(pool, clientId, u, { authTime: Math.floor(Date.now() / 1000), originJti: randomUUID() }, true);
  return { AuthenticationResult: result, ChallengeParameters: {} };
}

const passwordAuth: AuthFlow['run'] = (c, s) =>
  completeSignIn(c, s.pool, s.clientId, checkPassword(c, s.pool, s.client, s.params.USERNAME ?? '', s.params.PASSWORD ?? ''));

const refreshAuth: AuthFlow['run'] = async (c, s) => {
  const ps = c.poolState(s.pool.id);
  const { username, session } = redeemRefreshToken(ps, s.params.REFRESH_TOKEN ?? '', s.clientId);
  const u = c.mustUser(ps, username);
  if (!u.enabled) throw new CognitoError('NotAuthorizedException', MESSAGES.disabled);
  return { AuthenticationResult: await c.tokens(s.pool, s.clientId, u, session, false), ChallengeParameters: {} };
};

/** USER_SRP_AUTH's first step: the server's B, the salt and a secret block naming the challenge. */
const srpAuth: AuthFlow['run'] = (c, { pool, client, clientId, params: p }) => {
  if (!p.USERNAME) throw new CognitoError('InvalidParameterException', 'Missing required parameter USERNAME');
  if (!p.SRP_A || !/^[0-9a-fA-F]+$/.test(p.SRP_A)) throw new CognitoError('InvalidParameterException', 'Missing required parameter SRP_A');
  c.challenges.prune();
  const u = c.findUser(c.poolState(pool.id), p.USERNAME);
  if (!u && !client.preventUserExistenceErrors) throw new CognitoError('UserNotFoundException', MESSAGES.userNotFound);
  if (u && !u.srp)
    c.log(
      `${u.attributes.email ?? u.username} has no SRP verifier yet (a state dir from before SRP): sign in once with USER_PASSWORD_AUTH or the hosted UI, or set the password again`,
    );
  // An unknown user (or one without a verifier) gets a challenge no password can answer.
  const userId = u?.username ?? p.USERNAME;
  const verifier = u?.srp ?? createPasswordVerifier(poolName(pool), userId, randomBytes(32).toString('hex'));
  const ephemeral = serverEphemeral(verifier);
  const secretBlock = randomBytes(96).toString('base64');
  c.challenges.srp.set(secretBlock, {
    poolId: pool.id,
    clientId,
    ...(u ? { username: u.username } : {}),
    userId,
    A: p.SRP_A,
    ephemeral,
    verifier,
    expires: Date.now() + CHALLENGE_TTL_MS,
  });
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: { SALT: verifier.salt, SECRET_BLOCK: secretBlock, SRP_B: ephemeral.B, USERNAME: userId, USER_ID_FOR_SRP: userId },
  };
};

/** InitiateAuth's flows by name (a new flow is one line here). */
export const AUTH_FLOWS: Readonly<Record<string, AuthFlow>> = {
  USER_SRP_AUTH: { run: srpAuth, enabledBy: ['ALLOW_USER_SRP_AUTH'], withoutAllowList: true },
  REFRESH_TOKEN_AUTH: { run: refreshAuth, enabledBy: ['ALLOW_REFRESH_TOKEN_AUTH'], withoutAllowList: true },
  REFRESH_TOKEN: { run: refreshAuth, enabledBy: ['ALLOW_REFRESH_TOKEN_AUTH'], withoutAllowList: true },
  USER_PASSWORD_AUTH: { run: passwordAuth, enabledBy: ['ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH'] },
  ADMIN_USER_PASSWORD_AUTH: { run: passwordAuth, enabledBy: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'] },
  ADMIN_NO_SRP_AUTH: { run: passwordAuth, enabledBy: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'] },
};

/** Which AuthFlow values a client's ExplicitAuthFlows let through. */
export function flowAllowed(client: ClientDef, flow: string): boolean {
  const def = Object.hasOwn(AUTH_FLOWS, flow) ? AUTH_FLOWS[flow] : undefined;
  if (!def) return false;
  // Without ALLOW_ values (none, or the legacy names) SRP and refresh are always on.
  const legacy = client.flows.length === 0 || client.flows.some((f) => !f.startsWith('ALLOW_'));
  return (legacy && def.withoutAllowList === true) || def.enabledBy.some((f) => client.flows.includes(f));
}

function startFlow(c: CognitoCore, s: Omit<FlowStart, 'params'>, flow: string, b: Rec): Rec | Promise<Rec> {
  const def = Object.hasOwn(AUTH_FLOWS, flow) ? AUTH_FLOWS[flow] : undefined;
  if (!def) throw new CognitoError('InvalidParameterException', `AuthFlow ${flow} is not supported by the local Cognito endpoint`);
  if (!flowAllowed(s.client, flow)) throw new CognitoError('InvalidParameterException', `${flow} flow not enabled for this client`);
  return def.run(c, { ...s, params: (b.AuthParameters ?? {}) as Params });
}

export const initiateAuth: CognitoOperation = (c, b) => {
  const clientId = String(b.ClientId);
  return startFlow(c, { ...c.poolOfClient(clientId), clientId }, String(b.AuthFlow), b);
};

export const adminInitiateAuth: CognitoOperation = (c, b) => {
  const clientId = String(b.ClientId);
  const found = c.poolOfClient(clientId);
  if (found.pool.id !== b.UserPoolId) throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  return startFlow(c, { ...found, clientId }, String(b.AuthFlow), b);
};

/** Amplify v6 refreshes with this (no RefreshTokenRotation in the template: no new refresh token). */
export const getTokensFromRefreshToken: CognitoOperation = async (c, b) => {
  const clientId = String(b.ClientId);
  const { pool, client } = c.poolOfClient(clientId);
  if (!flowAllowed(client, 'REFRESH_TOKEN_AUTH'))
    throw new CognitoError('InvalidParameterException', 'REFRESH_TOKEN_AUTH flow not enabled for this client');
  const { AuthenticationResult } = await refreshAuth(c, {
    pool,
    client,
    clientId,
    params: { REFRESH_TOKEN: stringMember(b, 'RefreshToken') },
  });
  return { AuthenticationResult };
};

async function passwordVerifier(c: CognitoCore, { pool, clientId, responses: r }: ChallengeAnswer): Promise<Rec> {
  for (const k of ['PASSWORD_CLAIM_SECRET_BLOCK', 'PASSWORD_CLAIM_SIGNATURE', 'TIMESTAMP', 'USERNAME'] as const) {
    if (!r[k]) throw new CognitoError('InvalidParameterException', `Missing required parameter ${k}`);
  }
  const pending = c.challenges.srp.get(r.PASSWORD_CLAIM_SECRET_BLOCK!);
  // One answer per challenge, right or wrong.
  c.challenges.srp.delete(r.PASSWORD_CLAIM_SECRET_BLOCK!);
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
  const u = pending.username ? c.findUser(c.poolState(pool.id), pending.username) : undefined;
  if (!ok || !u) throw new CognitoError('NotAuthorizedException', MESSAGES.badCredentials);
  return completeSignIn(c, pool, clientId, u);
}

async function newPasswordRequired(c: CognitoCore, { pool, clientId, session, responses: r }: ChallengeAnswer): Promise<Rec> {
  const pending = c.challenges.newPassword.get(session);
  if (!pending || pending.expires < Date.now() || pending.clientId !== clientId)
    throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
  const u = c.mustUser(c.poolState(pool.id), pending.username);
  if (!r.NEW_PASSWORD) throw new CognitoError('InvalidParameterException', 'Missing required parameter NEW_PASSWORD');
  const err = checkPasswordPolicy(r.NEW_PASSWORD, pool.policy);
  if (err) throw new CognitoError('InvalidPasswordException', err);
  for (const [k, v] of Object.entries(r)) {
    const name = k.startsWith('userAttributes.') ? k.slice('userAttributes.'.length) : undefined;
    if (!name || v === undefined) continue;
    if (name === 'sub' || (name === 'email' && pool.emailAsUsername))
      throw new CognitoError('NotAuthorizedException', `Cannot modify an already provided ${name}`);
    u.attributes[name] = v;
  }
  c.challenges.newPassword.delete(session);
  setPassword(pool, u, r.NEW_PASSWORD);
  u.status = 'CONFIRMED';
  c.save();
  return completeSignIn(c, pool, clientId, u);
}

/** RespondToAuthChallenge's challenges by name. */
export const CHALLENGES: Readonly<Record<string, (c: CognitoCore, a: ChallengeAnswer) => Promise<Rec>>> = {
  PASSWORD_VERIFIER: passwordVerifier,
  NEW_PASSWORD_REQUIRED: newPasswordRequired,
};

export const respondToAuthChallenge: CognitoOperation = (c, b) => {
  const clientId = String(b.ClientId);
  const { pool } = c.poolOfClient(clientId);
  const name = String(b.ChallengeName);
  const answer = Object.hasOwn(CHALLENGES, name) ? CHALLENGES[name] : undefined;
  if (!answer)
    throw new CognitoError(
      'InvalidParameterException',
      `ChallengeName ${name} is not supported by the local Cognito endpoint (${Object.keys(CHALLENGES).join(', ')} are)`,
    );
  return answer(c, { pool, clientId, session: stringMember(b, 'Session'), responses: (b.ChallengeResponses ?? {}) as Params });
};
