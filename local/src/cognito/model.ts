/** The Cognito user store's records and the errors and password hashing its operations share. */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { AwsError } from '../protocol';
import type { PasswordPolicy } from './password';

export type Rec = Record<string, unknown>;

export interface PoolDef {
  id: string;
  logicalId: string;
  policy: PasswordPolicy;
  emailAsUsername: boolean;
  autoVerifyEmail: boolean;
  clients: Record<string, { logicalId: string; flows: string[]; accessMinutes: number; idMinutes: number; refreshDays: number }>;
}

export interface User {
  sub: string;
  username: string;
  attributes: Record<string, string>;
  passwordHash?: string;
  status: 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';
  enabled: boolean;
  groups: string[];
  created: number;
  modified: number;
  code?: string;
}

export interface PoolState {
  users: Record<string, User>;
  groups: Record<string, { GroupName: string; Description?: string; Precedence?: number; created: number }>;
  refreshTokens: Record<string, { username: string; clientId: string; originJti: string; authTime: number; expires: number }>;
}

export interface State {
  pools: Record<string, PoolState>;
}

/** A Cognito error as the SDK reads it (`__type`); `type` is its code. */
export class CognitoError extends AwsError {
  constructor(readonly type: string, message: string, status = 400) {
    super(type, message, status);
  }
}

export function hashPassword(pw: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(pw, salt, 32).toString('base64')}`;
}

export function checkPassword(pw: string, stored: string | undefined): boolean {
  if (!stored) return false;
  const [, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash!, 'base64');
  const got = scryptSync(pw, Buffer.from(salt!, 'base64'), expected.length);
  return timingSafeEqual(expected, got);
}

