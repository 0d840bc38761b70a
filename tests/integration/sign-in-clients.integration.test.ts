/**
 * Sign-in against `npm start` with the clients real apps use, unmodified:
 * amazon-cognito-identity-js and Amplify v6 (both SRP by default, pointed at the local
 * endpoint with `endpoint` / `userPoolEndpoint`), and the AWS SDK v3 for the challenge and
 * account operations. Codes are read from the local mailbox (.local/cognito/messages.log).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  GetUserCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import * as amplify from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { ConsoleLogger } from 'aws-amplify/utils';
import { cognitoClient, createTestUser, startLocalRuntime, type LocalRuntimeHandle } from '../support/runtime';

jest.setTimeout(120_000);
// Amplify warns once that the endpoint is a custom one: that is the point here.
ConsoleLogger.LOG_LEVEL = 'ERROR';

let rt: LocalRuntimeHandle;
let sdk: CognitoIdentityProviderClient;
let pool: CognitoUserPool;

beforeAll(async () => {
  rt = await startLocalRuntime();
  sdk = cognitoClient(rt.outputs);
  pool = new CognitoUserPool({
    UserPoolId: rt.outputs.UserPoolId!,
    ClientId: rt.outputs.UserPoolClientId!,
    endpoint: `${rt.outputs.CognitoEndpoint}/`,
  });
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: rt.outputs.UserPoolId!,
        userPoolClientId: rt.outputs.UserPoolClientId!,
        userPoolEndpoint: rt.outputs.CognitoEndpoint!,
      },
    },
  });
});
afterAll(async () => {
  sdk?.destroy();
  await rt?.stop();
});

/** The newest code the local Cognito mailed to `email` with this wording. */
function mailedCode(email: string, words: string): string {
  const log = readFileSync(join(rt.stateDir, 'cognito', 'messages.log'), 'utf8');
  const codes = [...log.matchAll(new RegExp(`to=${email.replace(/[.+]/g, '\\$&')} ${words} (\\d{6})`, 'g'))];
  if (!codes.length) throw new Error(`no "${words}" mail to ${email}`);
  return codes.at(-1)![1]!;
}

const newEmail = (what: string) => `${what}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;

function authenticate(email: string, password: string): Promise<CognitoUserSession> {
  const user = new CognitoUser({ Username: email, Pool: pool });
  return new Promise((ok, fail) =>
    user.authenticateUser(new AuthenticationDetails({ Username: email, Password: password }), { onSuccess: ok, onFailure: fail }),
  );
}

describe('amazon-cognito-identity-js', () => {
  it('signs up, confirms with the mailed code, signs in with SRP; a wrong password is refused as Cognito refuses it', async () => {
    const email = newEmail('acij');
    await new Promise((ok, fail) =>
      pool.signUp(email, 'Corr3ct-Horse', [new CognitoUserAttribute({ Name: 'email', Value: email })], [], (e, r) => (e ? fail(e) : ok(r))),
    );
    const user = new CognitoUser({ Username: email, Pool: pool });
    await new Promise((ok, fail) =>
      user.confirmRegistration(mailedCode(email, 'Your confirmation code is'), true, (e: Error | undefined, r: unknown) =>
        e ? fail(e) : ok(r),
      ),
    );
    const session = await authenticate(email, 'Corr3ct-Horse');
    expect(session.isValid()).toBe(true);
    expect(session.getIdToken().payload).toMatchObject({ email, token_use: 'id', aud: rt.outputs.UserPoolClientId });
    await expect(authenticate(email, 'Wr0ng-Horse')).rejects.toMatchObject({
      code: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    // PreventUserExistenceErrors: ENABLED: an unknown user reads like a wrong password.
    await expect(authenticate(newEmail('nobody'), 'Corr3ct-Horse')).rejects.toMatchObject({
      code: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('refreshes, reads attributes, changes the password and signs out globally (tokens revoked)', async () => {
    const u = await createTestUser(rt.outputs);
    const user = new CognitoUser({ Username: u.email, Pool: pool });
    const session = await new Promise<CognitoUserSession>((ok, fail) =>
      user.authenticateUser(new AuthenticationDetails({ Username: u.email, Password: u.password }), { onSuccess: ok, onFailure: fail }),
    );
    const refreshed = await new Promise<CognitoUserSession>((ok, fail) =>
      user.refreshSession(session.getRefreshToken(), (e: Error | undefined, s: CognitoUserSession) => (e ? fail(e) : ok(s))),
    );
    expect(refreshed.getIdToken().getJwtToken()).not.toBe(session.getIdToken().getJwtToken());
    const attrs = await new Promise<CognitoUserAttribute[]>((ok, fail) => user.getUserAttributes((e, a) => (e ? fail(e) : ok(a!))));
    expect(attrs.find((a) => a.getName() === 'email')?.getValue()).toBe(u.email);
    await new Promise((ok, fail) => user.changePassword(u.password, 'N3w-Passw0rd', (e, r) => (e ? fail(e) : ok(r))));
    await expect(authenticate(u.email, u.password)).rejects.toMatchObject({ code: 'NotAuthorizedException' });
    expect((await authenticate(u.email, 'N3w-Passw0rd')).isValid()).toBe(true);
    await new Promise((ok, fail) => user.globalSignOut({ onSuccess: ok, onFailure: fail }));
    await expect(sdk.send(new GetUserCommand({ AccessToken: refreshed.getAccessToken().getJwtToken() }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });
    await expect(
      sdk.send(
        new InitiateAuthCommand({
          ClientId: rt.outputs.UserPoolClientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: session.getRefreshToken().getToken() },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });
});

describe('Amplify v6', () => {
  /** Every Cognito API call Amplify makes, with its body (Amplify calls the global fetch). */
  function recordCalls(): { calls: { target: string; body: string }[]; stop(): void } {
    const original = globalThis.fetch;
    const calls: { target: string; body: string }[] = [];
    globalThis.fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      calls.push({
        target: headers.get('x-amz-target') ?? (typeof input === 'string' ? input : input instanceof URL ? input.href : input.url),
        body: typeof init?.body === 'string' ? init.body : '',
      });
      return original(input, init);
    };
    return { calls, stop: () => void (globalThis.fetch = original) };
  }

  afterEach(async () => {
    await amplify.signOut().catch(() => undefined);
  });

  it('signs in with SRP (the password never sent), refreshes, and signs out revoking the refresh token', async () => {
    const u = await createTestUser(rt.outputs);
    const rec = recordCalls();
    try {
      await expect(amplify.signIn({ username: u.email, password: u.password })).resolves.toMatchObject({
        isSignedIn: true,
        nextStep: { signInStep: 'DONE' },
      });
    } finally {
      rec.stop();
    }
    const initiate = rec.calls.find((c) => c.target.endsWith('.InitiateAuth'));
    expect(JSON.parse(initiate!.body)).toMatchObject({
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: u.email, SRP_A: expect.stringMatching(/^[0-9a-f]+$/) },
    });
    expect(rec.calls.map((c) => c.target)).toContain('AWSCognitoIdentityProviderService.RespondToAuthChallenge');
    expect(rec.calls.filter((c) => c.body.includes(u.password))).toEqual([]);

    const first = await amplify.fetchAuthSession();
    expect(first.tokens?.idToken?.payload).toMatchObject({ email: u.email, token_use: 'id' });
    const again = await amplify.fetchAuthSession({ forceRefresh: true });
    expect(again.tokens?.idToken?.toString()).not.toBe(first.tokens?.idToken?.toString());
    // The refreshed ID token is good for the API.
    const res = await fetch(`${rt.outputs.APIEndpoint}/orders`, { headers: { authorization: again.tokens!.idToken!.toString() } });
    expect(res.status).toBe(200);

    const refreshToken = (await cognitoUserPoolsTokenProvider.authTokenStore.loadTokens())?.refreshToken;
    expect(refreshToken).toBeTruthy();
    await amplify.signOut();
    expect((await amplify.fetchAuthSession()).tokens).toBeUndefined();
    await expect(
      sdk.send(
        new InitiateAuthCommand({
          ClientId: rt.outputs.UserPoolClientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: refreshToken! },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('answers NEW_PASSWORD_REQUIRED for a user created with a temporary password', async () => {
    const email = newEmail('temp');
    await sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: rt.outputs.UserPoolId,
        Username: email,
        TemporaryPassword: 'Temp-Passw0rd',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await expect(amplify.signIn({ username: email, password: 'Temp-Passw0rd' })).resolves.toMatchObject({
      isSignedIn: false,
      nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED' },
    });
    await expect(amplify.confirmSignIn({ challengeResponse: 'weak' })).rejects.toMatchObject({ name: 'InvalidPasswordException' });
    // The challenge stays open after a refused password.
    await expect(amplify.confirmSignIn({ challengeResponse: 'Own-Passw0rd' })).resolves.toMatchObject({ isSignedIn: true });
    await amplify.signOut();
    await expect(amplify.signIn({ username: email, password: 'Own-Passw0rd' })).resolves.toMatchObject({ isSignedIn: true });
  });

  it('resets a forgotten password with the mailed code', async () => {
    const u = await createTestUser(rt.outputs);
    await expect(amplify.resetPassword({ username: u.email })).resolves.toMatchObject({
      nextStep: { resetPasswordStep: 'CONFIRM_RESET_PASSWORD_WITH_CODE', codeDeliveryDetails: { deliveryMedium: 'EMAIL' } },
    });
    await expect(
      amplify.confirmResetPassword({ username: u.email, confirmationCode: '000000', newPassword: 'Res3t-Passw0rd' }),
    ).rejects.toMatchObject({ name: 'CodeMismatchException' });
    await amplify.confirmResetPassword({
      username: u.email,
      confirmationCode: mailedCode(u.email, 'Your password reset code is'),
      newPassword: 'Res3t-Passw0rd',
    });
    await expect(amplify.signIn({ username: u.email, password: u.password })).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await expect(amplify.signIn({ username: u.email, password: 'Res3t-Passw0rd' })).resolves.toMatchObject({ isSignedIn: true });
  });
});
