/**
 * The Cognito Identity Provider JSON protocol over fetch (the same calls the SDK makes),
 * so the bundle stays small and the local endpoint and the user pool behave alike.
 */
import type { AppConfig } from './config';

export interface Session {
  idToken: string;
  refreshToken: string;
  /** Epoch ms when the ID token expires. */
  expiresAt: number;
  email: string;
}

export class CognitoError extends Error {
  constructor(public readonly code: string, message: string) {
    super(message);
  }
}

/** Cognito's messages are terse; these say what to do next. */
const FRIENDLY: Record<string, string> = {
  UsernameExistsException: 'An account with this email already exists. Sign in, or confirm it with the emailed code.',
  InvalidPasswordException: 'The password needs at least 8 characters with upper-case, lower-case letters and a number.',
  CodeMismatchException: 'That confirmation code is not right. Check the email and try again.',
  ExpiredCodeException: 'That confirmation code has expired. Sign up again to get a new one.',
  NotAuthorizedException: 'Email or password is not right.',
  UserNotConfirmedException: 'This account is not confirmed yet. Enter the code we emailed you.',
  UserNotFoundException: 'Email or password is not right.',
  TooManyRequestsException: 'Too many attempts. Wait a moment and try again.',
  LimitExceededException: 'Too many attempts. Wait a moment and try again.',
  InvalidParameterException: 'Some of the details are not valid.',
};

async function call<T>(cfg: AppConfig, action: string, body: Record<string, unknown>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${cfg.cognitoEndpoint}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}` },
      body: JSON.stringify(body),
    });
  } catch {
    throw new CognitoError('NetworkError', 'Could not reach the sign-in service. Check your connection.');
  }
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const text = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string');
    const code = (text(data.__type, data.code) ?? 'UnknownError').split('#').pop()!;
    throw new CognitoError(code, FRIENDLY[code] ?? text(data.message, data.Message) ?? `Sign-in service error (${res.status})`);
  }
  return data as T;
}

interface AuthResult { AuthenticationResult?: { IdToken: string; RefreshToken?: string; ExpiresIn: number } }

function sessionFrom(r: AuthResult, email: string, refreshToken?: string): Session {
  const a = r.AuthenticationResult;
  if (!a) throw new CognitoError('ChallengeRequired', 'This account needs a step the app does not support (a new password or MFA).');
  return { idToken: a.IdToken, refreshToken: a.RefreshToken ?? refreshToken ?? '', expiresAt: Date.now() + a.ExpiresIn * 1000, email };
}

export const signUp = (cfg: AppConfig, email: string, password: string) =>
  call(cfg, 'SignUp', { ClientId: cfg.clientId, Username: email, Password: password, UserAttributes: [{ Name: 'email', Value: email }] });

export const confirmSignUp = (cfg: AppConfig, email: string, code: string) =>
  call(cfg, 'ConfirmSignUp', { ClientId: cfg.clientId, Username: email, ConfirmationCode: code });

export async function signIn(cfg: AppConfig, email: string, password: string): Promise<Session> {
  const r = await call<AuthResult>(cfg, 'InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: cfg.clientId, AuthParameters: { USERNAME: email, PASSWORD: password } });
  return sessionFrom(r, email);
}

export async function refresh(cfg: AppConfig, s: Session): Promise<Session> {
  const r = await call<AuthResult>(cfg, 'InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: cfg.clientId, AuthParameters: { REFRESH_TOKEN: s.refreshToken } });
  return sessionFrom(r, s.email, s.refreshToken);
}

// The session lives in sessionStorage: it survives a reload, not the closing of the tab.
const KEY = 'myapp.session';
export function loadSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return s?.idToken ? s : undefined;
  } catch {
    return undefined;
  }
}
export function saveSession(s: Session | undefined): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}
