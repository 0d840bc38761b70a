/**
 * Passwords and one-time codes of local users. A password is kept as Cognito keeps it:
 * an SRP salt and verifier computed with the internal user name (USER_ID_FOR_SRP), so
 * SRP, USER_PASSWORD_AUTH and the hosted UI all check the same secret.
 */
import { randomInt, scryptSync, timingSafeEqual } from 'node:crypto';
import { CognitoError, MESSAGES } from './errors';
import type { PendingCode, PoolDef, User } from './model';
import { createPasswordVerifier, passwordMatches } from './srp';

/** The part of the pool id after the region, which Cognito's SRP mixes into x. */
export const poolName = (pool: PoolDef): string => pool.id.split('_')[1] ?? pool.id;

export function setPassword(pool: PoolDef, u: User, password: string): void {
  u.srp = createPasswordVerifier(poolName(pool), u.username, password);
  delete u.passwordHash;
  u.modified = Date.now();
}

/**
 * True when `password` is the user's. A user from a state dir written before SRP has a
 * scrypt hash instead: it is checked once and replaced by a verifier (the caller saves).
 */
export function passwordOk(pool: PoolDef, u: User, password: string): boolean {
  if (u.srp) return passwordMatches(poolName(pool), u.username, password, u.srp);
  if (!u.passwordHash) return false;
  const [, salt, hash] = u.passwordHash.split('$');
  const expected = Buffer.from(hash ?? '', 'base64');
  const ok = expected.length > 0 && timingSafeEqual(expected, scryptSync(password, Buffer.from(salt ?? '', 'base64'), expected.length));
  if (ok) setPassword(pool, u, password);
  return ok;
}

/** Cognito's validity of each kind of code. */
export const CODE_LIFETIME_MS = { signUp: 24 * 3600_000, forgotPassword: 3600_000, attribute: 24 * 3600_000 } as const;
const MAX_ATTEMPTS = 5;

export function newCode(lifetimeMs: number): PendingCode {
  return { code: String(randomInt(0, 1_000_000)).padStart(6, '0'), expires: Date.now() + lifetimeMs, attempts: 0 };
}

/** Older state dirs kept the sign-up code as a bare string: it stays valid for a day from now. */
export function asPendingCode(c: string | PendingCode | undefined): PendingCode | undefined {
  return typeof c === 'string' ? { code: c, expires: Date.now() + CODE_LIFETIME_MS.signUp, attempts: 0 } : c;
}

/**
 * Throws Cognito's error for a wrong, expired or over-tried code. The caller saves the user
 * either way (attempts are counted) and drops the code once it has been used.
 */
export function checkCode(pending: PendingCode | undefined, given: string): void {
  if (!pending) throw new CognitoError('ExpiredCodeException', MESSAGES.codeExpired);
  if (pending.attempts >= MAX_ATTEMPTS) throw new CognitoError('LimitExceededException', MESSAGES.attemptLimit);
  if (pending.expires < Date.now()) throw new CognitoError('ExpiredCodeException', MESSAGES.codeExpired);
  if (pending.code !== given) {
    pending.attempts++;
    throw new CognitoError('CodeMismatchException', MESSAGES.codeMismatch);
  }
}

/** How Cognito shows a destination it mailed: "u***@e***". */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
}
