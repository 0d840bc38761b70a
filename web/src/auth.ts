/**
 * Sign-in with well-kept libraries, no protocol code of our own:
 * - Amplify Auth v6 for the Cognito API: SRP sign-in (its default), sign-up and its code,
 *   forgotten passwords, the new-password challenge, token refresh and sign-out (which
 *   revokes the refresh token);
 * - oauth4webapi for "Sign in with the hosted UI": the authorization code flow with PKCE
 *   (S256), state and nonce, its token response and ID token claims checked. The tokens
 *   are then handed to Amplify's token store, so refresh and sign-out are the same for both.
 * Tokens live in sessionStorage: they survive a reload, not the closing of the tab.
 */
import { Amplify } from 'aws-amplify';
import * as amplify from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { sessionStorage as amplifySessionStorage } from 'aws-amplify/utils';
import * as oauth from 'oauth4webapi';
import type { AppConfig } from './config';

export interface SignedIn {
  email: string;
}

export class AuthError extends Error {
  constructor(
    public readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Cognito's messages are terse; these say what to do next. */
const FRIENDLY: Record<string, string> = {
  UsernameExistsException: 'An account with this email already exists. Sign in, or confirm it with the emailed code.',
  InvalidPasswordException: 'The password needs at least 8 characters with upper-case, lower-case letters and a number.',
  CodeMismatchException: 'That code is not right. Check the email and try again.',
  ExpiredCodeException: 'That code has expired. Ask for a new one.',
  NotAuthorizedException: 'Email or password is not right.',
  UserNotFoundException: 'Email or password is not right.',
  UserNotConfirmedException: 'This account is not confirmed yet. Enter the code we emailed you.',
  TooManyRequestsException: 'Too many attempts. Wait a moment and try again.',
  LimitExceededException: 'Too many attempts. Wait a moment and try again.',
  InvalidParameterException: 'Some of the details are not valid.',
  NetworkError: 'Could not reach the sign-in service. Check your connection.',
};

/** Any sign-in failure as one AuthError with a message for a person. */
export async function friendly<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof AuthError) throw e;
    const name = e instanceof Error ? e.name : 'Error';
    throw new AuthError(name, FRIENDLY[name] ?? (e instanceof Error ? e.message : String(e)));
  }
}

let config: AppConfig | undefined;
const VIA = 'myapp.signedInVia';
const PENDING = 'myapp.hostedUi';

export function configureAuth(cfg: AppConfig): void {
  config = cfg;
  // The endpoint is named only when it is not the region's own (npm start's local one).
  const custom = cfg.cognitoEndpoint !== `https://cognito-idp.${cfg.region}.amazonaws.com` ? { userPoolEndpoint: cfg.cognitoEndpoint } : {};
  Amplify.configure({
    Auth: { Cognito: { userPoolId: cfg.userPoolId, userPoolClientId: cfg.clientId, loginWith: { email: true }, ...custom } },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(amplifySessionStorage);
}

export async function currentUser(): Promise<SignedIn | undefined> {
  const { tokens } = await amplify.fetchAuthSession().catch(() => ({ tokens: undefined }));
  const email = tokens?.idToken?.payload.email;
  return typeof email === 'string' ? { email } : undefined;
}

/** The ID token for the API, refreshed by Amplify when it is (nearly) expired or when forced. */
export async function idToken(forceRefresh = false): Promise<string | undefined> {
  const { tokens } = await amplify.fetchAuthSession({ forceRefresh }).catch(() => ({ tokens: undefined }));
  return tokens?.idToken?.toString();
}

export type NextStep = 'done' | 'confirmSignUp' | 'newPassword' | 'resetPassword';

function nextStep(r: { isSignedIn: boolean; nextStep: { signInStep: string } }): NextStep {
  switch (r.nextStep.signInStep) {
    case 'DONE':
      return 'done';
    case 'CONFIRM_SIGN_UP':
      return 'confirmSignUp';
    case 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED':
      return 'newPassword';
    case 'RESET_PASSWORD':
      return 'resetPassword';
    default:
      throw new AuthError('UnsupportedStep', 'This account needs a sign-in step the app does not support (MFA). Use the hosted UI.');
  }
}

/** SRP (USER_SRP_AUTH): the password never leaves the browser. */
export const signIn = (email: string, password: string): Promise<NextStep> =>
  friendly(async () => {
    const step = nextStep(await amplify.signIn({ username: email, password }));
    if (step === 'done') globalThis.sessionStorage.setItem(VIA, 'srp');
    return step;
  });

export const completeNewPassword = (newPassword: string): Promise<NextStep> =>
  friendly(async () => nextStep(await amplify.confirmSignIn({ challengeResponse: newPassword })));

export const signUp = (email: string, password: string) =>
  friendly(() => amplify.signUp({ username: email, password, options: { userAttributes: { email } } }));
export const confirmSignUp = (email: string, code: string) =>
  friendly(() => amplify.confirmSignUp({ username: email, confirmationCode: code }));
export const resendCode = (email: string) => friendly(() => amplify.resendSignUpCode({ username: email }));
export const forgotPassword = (email: string) => friendly(() => amplify.resetPassword({ username: email }));
export const confirmForgotPassword = (email: string, code: string, newPassword: string) =>
  friendly(() => amplify.confirmResetPassword({ username: email, confirmationCode: code, newPassword }));

function hostedUi(cfg: AppConfig) {
  const as: oauth.AuthorizationServer = {
    issuer: `${cfg.cognitoEndpoint}/${cfg.userPoolId}`,
    authorization_endpoint: `${cfg.hostedUiUrl}/oauth2/authorize`,
    token_endpoint: `${cfg.hostedUiUrl}/oauth2/token`,
  };
  const url = new URL(cfg.hostedUiUrl);
  // Plain http only for the local hosted UI that `npm start` serves on loopback.
  const insecure = url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return {
    as,
    client: { client_id: cfg.clientId } as oauth.Client,
    redirectUri: `${location.origin}/app/`,
    options: { [oauth.allowInsecureRequests]: insecure },
  };
}

/** Leaves for the hosted UI's sign-in page; it comes back to /app/ with a code. */
export async function startHostedUi(): Promise<void> {
  const { as, client, redirectUri } = hostedUi(config!);
  const verifier = oauth.generateRandomCodeVerifier();
  const pending = { verifier, state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce() };
  globalThis.sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/**
 * On return from the hosted UI: checks the response against the flow this tab started,
 * redeems the code with the PKCE verifier and hands the tokens to Amplify. A code this tab
 * did not ask for (CognitoLoginURL opened directly) is never redeemed: a fresh flow starts
 * instead, which the hosted UI's session answers at once.
 */
export async function completeHostedUi(): Promise<'none' | 'signedIn' | 'redirecting'> {
  const here = new URL(location.href);
  if (!here.searchParams.has('code') && !here.searchParams.has('error')) return 'none';
  const raw = globalThis.sessionStorage.getItem(PENDING);
  globalThis.sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', here.pathname);
  const pending = raw ? (JSON.parse(raw) as { verifier: string; state: string; nonce: string }) : undefined;
  // Not the answer to the flow this tab started (none, or an abandoned one): never redeemed.
  if (!pending || here.searchParams.get('state') !== pending.state) {
    if (here.searchParams.has('error'))
      throw new AuthError('HostedUiError', here.searchParams.get('error_description') ?? here.searchParams.get('error')!);
    await startHostedUi();
    return 'redirecting';
  }
  const { as, client, redirectUri, options } = hostedUi(config!);
  await friendly(async () => {
    const params = oauth.validateAuthResponse(as, client, here, pending.state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, pending.verifier, options);
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    const accessToken = amplify.decodeJWT(result.access_token);
    // Cognito's access tokens always name the user; Amplify keys its token store by that name.
    const { username } = accessToken.payload;
    if (typeof username !== 'string') throw new AuthError('HostedUiError', 'The access token names no user');
    await cognitoUserPoolsTokenProvider.tokenOrchestrator.setTokens({
      tokens: { accessToken, idToken: amplify.decodeJWT(result.id_token!), refreshToken: result.refresh_token, clockDrift: 0, username },
    });
  });
  globalThis.sessionStorage.setItem(VIA, 'hosted-ui');
  return 'signedIn';
}

/**
 * Signs out: Amplify revokes the refresh token (and with it the access tokens) and clears
 * the tokens; after a hosted UI sign-in the hosted UI's own session ends too (its /logout).
 */
export async function signOut(): Promise<void> {
  const via = globalThis.sessionStorage.getItem(VIA);
  globalThis.sessionStorage.removeItem(VIA);
  await amplify.signOut().catch(() => undefined);
  if (via === 'hosted-ui' && config) {
    const logout = new URL(`${config.hostedUiUrl}/logout`);
    logout.search = new URLSearchParams({ client_id: config.clientId, logout_uri: `${location.origin}/app/` }).toString();
    location.assign(logout.toString());
  }
}
