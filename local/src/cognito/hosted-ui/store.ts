/**
 * The hosted UI's short-lived state, in memory as Cognito keeps it server-side: sign-in
 * sessions behind the `cognito` cookie (an hour), authorization codes (five minutes,
 * single use) and steps between pages (a confirmation, a new password; ten minutes).
 */
import { randomBytes } from 'node:crypto';

export interface HostedSession {
  poolId: string;
  username: string;
  authTime: number;
}

export interface AuthorizationCode {
  poolId: string;
  clientId: string;
  redirectUri: string;
  username: string;
  scopes: string[];
  authTime: number;
  codeChallenge?: string;
  nonce?: string;
}

export interface PendingStep {
  poolId: string;
  username: string;
  /** The password was proven in this browser (sign-up): confirming signs in. */
  signsIn: boolean;
}

class Expiring<T> {
  private items = new Map<string, { value: T; expires: number }>();
  constructor(private ttlMs: number) {}

  add(value: T): string {
    this.prune();
    const id = randomBytes(32).toString('base64url');
    this.items.set(id, { value, expires: Date.now() + this.ttlMs });
    return id;
  }

  get(id: string | undefined): T | undefined {
    const item = id ? this.items.get(id) : undefined;
    return item && item.expires > Date.now() ? item.value : undefined;
  }

  /** Returns and forgets (single use). */
  take(id: string | undefined): T | undefined {
    const v = this.get(id);
    if (id) this.items.delete(id);
    return v;
  }

  delete(id: string | undefined): void {
    if (id) this.items.delete(id);
  }

  private prune(): void {
    const now = Date.now();
    for (const [k, v] of this.items) if (v.expires <= now) this.items.delete(k);
  }
}

export class HostedUiStore {
  readonly sessions = new Expiring<HostedSession>(3600_000);
  readonly codes = new Expiring<AuthorizationCode>(5 * 60_000);
  readonly steps = new Expiring<PendingStep>(10 * 60_000);
}
