/** Shared helpers for the resilience suites: the runtime's outputs and an HTTP caller. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestUser } from '../support/runtime';

export type Json = Record<string, any>;

export function outputs(): Record<string, string> {
  const raw = process.env.RESILIENCE_OUTPUTS;
  if (!raw) throw new Error('RESILIENCE_OUTPUTS is not set: run through jest.resilience.config.js (globalSetup starts the runtime)');
  return JSON.parse(raw) as Record<string, string>;
}

export function apiBase(): string {
  return outputs().APIEndpoint!.replace(/\/$/, '');
}

/** The Cognito signing key of this state dir (the runtime's own), to forge claim-level faults. */
export function signingKeyFile(): { kid: string; private: Record<string, unknown>; public: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(process.env.RESILIENCE_STATE_DIR!, 'cognito', 'signing-key.json'), 'utf8'));
}

export interface Res {
  status: number;
  text: string;
  body: Json | undefined;
  contentType: string;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
}

export async function call(
  method: string,
  path: string,
  opts: {
    user?: TestUser;
    token?: string;
    body?: unknown;
    raw?: string;
    contentType?: string;
    /** Another runtime's API (suites that start their own). */ base?: string;
  } = {},
): Promise<Res> {
  const headers: Record<string, string> = {};
  if (opts.user) headers.authorization = opts.user.idToken;
  if (opts.token !== undefined) headers.authorization = opts.token;
  const payload = opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined);
  if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const res = await fetch(`${opts.base ?? apiBase()}${path}`, {
    method,
    headers,
    ...(payload !== undefined ? { body: payload } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: Json | undefined;
  try {
    body = text ? (JSON.parse(text) as Json) : undefined;
  } catch {
    body = undefined;
  }
  return {
    status: res.status,
    text,
    body,
    contentType: res.headers.get('content-type') ?? '',
    headers: Object.fromEntries(res.headers.entries()),
  };
}
