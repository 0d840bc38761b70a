/**
 * The local Cognito endpoint of template.yaml's user pool, through the AWS SDK's
 * CognitoIdentityProviderClient as an app or `aws cognito-idp --endpoint-url` would use it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { cognitoClient, createTestUser, startLocalRuntime, type LocalRuntimeHandle } from '../support/runtime';

jest.setTimeout(120_000);

let rt: LocalRuntimeHandle;
let c: CognitoIdentityProviderClient;

beforeAll(async () => {
  rt = await startLocalRuntime();
  c = cognitoClient(rt.outputs);
});
afterAll(async () => {
  c?.destroy();
  await rt?.stop();
});

it('sign up → code in the local mailbox → confirm → sign in → refresh', async () => {
  const email = `signup-${Date.now()}@example.com`;
  const up = await c.send(new SignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: email, Password: 'Corr3ctHorse' }));
  expect(up.UserConfirmed).toBe(false);
  await expect(
    c.send(
      new InitiateAuthCommand({
        ClientId: rt.outputs.UserPoolClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: 'Corr3ctHorse' },
      }),
    ),
  ).rejects.toMatchObject({ name: 'UserNotConfirmedException' });
  await expect(
    c.send(new ConfirmSignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: email, ConfirmationCode: '000000x' })),
  ).rejects.toMatchObject({ name: 'CodeMismatchException' });

  const mailbox = readFileSync(join(rt.stateDir, 'cognito', 'messages.log'), 'utf8');
  const code = new RegExp(`to=${email.replace(/\./g, '\\.')} .*?(\\d{6})`).exec(mailbox)?.[1];
  expect(code).toBeDefined();
  await c.send(new ConfirmSignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: email, ConfirmationCode: code }));

  const auth = await c.send(
    new InitiateAuthCommand({
      ClientId: rt.outputs.UserPoolClientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: 'Corr3ctHorse' },
    }),
  );
  const r = auth.AuthenticationResult!;
  const me = await c.send(new GetUserCommand({ AccessToken: r.AccessToken }));
  expect(me.UserAttributes?.find((a) => a.Name === 'email')?.Value).toBe(email);
  expect(me.UserAttributes?.find((a) => a.Name === 'email_verified')?.Value).toBe('true');

  const refreshed = await c.send(
    new InitiateAuthCommand({
      ClientId: rt.outputs.UserPoolClientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: r.RefreshToken! },
    }),
  );
  expect(refreshed.AuthenticationResult?.IdToken).toBeDefined();
  await expect(
    c.send(
      new InitiateAuthCommand({
        ClientId: rt.outputs.UserPoolClientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: 'not-a-token' },
      }),
    ),
  ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
});

it('enforces the pool’s password policy and refuses duplicate emails', async () => {
  await expect(
    c.send(new SignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: 'weak@example.com', Password: 'alllower1' })),
  ).rejects.toMatchObject({ name: 'InvalidPasswordException' });
  const u = await createTestUser(rt.outputs);
  await expect(
    c.send(new SignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: u.email, Password: 'Corr3ctHorse' })),
  ).rejects.toMatchObject({ name: 'UsernameExistsException' });
});

it('issues tokens that verify against the served JWKS with Cognito’s claims', async () => {
  const admin = await createTestUser(rt.outputs, { admin: true });
  const issuer = `${rt.outputs.CognitoEndpoint}/${rt.outputs.UserPoolId}`;
  const config = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
  expect(config.issuer).toBe(issuer);
  const { keys } = (await (await fetch(config.jwks_uri)).json()) as { keys: (JsonWebKey & { kid: string })[] };
  // RS256 checked with node:crypto against the served key (jest cannot load jose's ESM build).
  const verifyJwt = (jwt: string): Record<string, unknown> => {
    const [h, p, sig] = jwt.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { kid: string; alg: string };
    expect(header.alg).toBe('RS256');
    const jwk = keys.find((k) => k.kid === header.kid);
    expect(jwk).toBeDefined();
    expect(
      verify('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk!, format: 'jwk' }), Buffer.from(sig, 'base64url')),
    ).toBe(true);
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims.iss).toBe(issuer);
    expect(Number(claims.exp)).toBeGreaterThan(Date.now() / 1000);
    return claims;
  };
  const id = verifyJwt(admin.idToken);
  expect(id).toMatchObject({
    token_use: 'id',
    aud: rt.outputs.UserPoolClientId,
    email: admin.email,
    email_verified: true,
    'cognito:groups': ['apiAdmins'],
  });
  expect(typeof id['cognito:username']).toBe('string');
  const access = verifyJwt(admin.accessToken);
  expect(access).toMatchObject({ token_use: 'access', client_id: rt.outputs.UserPoolClientId, sub: id.sub, origin_jti: id.origin_jti });
  // A tampered payload no longer verifies.
  const [h, , sig] = admin.idToken.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ ...id, 'cognito:groups': ['root'] })).toString('base64url');
  expect(
    verify(
      'RSA-SHA256',
      Buffer.from(`${h}.${forgedPayload}`),
      createPublicKey({ key: keys[0]!, format: 'jwk' }),
      Buffer.from(sig!, 'base64url'),
    ),
  ).toBe(false);
});

it('admin operations: AdminGetUser, ListUsers with a filter, ListGroups (the template’s admin group)', async () => {
  const u = await createTestUser(rt.outputs);
  const got = await c.send(new AdminGetUserCommand({ UserPoolId: rt.outputs.UserPoolId, Username: u.email }));
  expect(got.UserStatus).toBe('CONFIRMED');
  const list = await c.send(new ListUsersCommand({ UserPoolId: rt.outputs.UserPoolId, Filter: `email = "${u.email}"` }));
  expect(list.Users?.length).toBe(1);
  const groups = await c.send(new ListGroupsCommand({ UserPoolId: rt.outputs.UserPoolId }));
  expect(groups.Groups?.map((g) => g.GroupName)).toContain('apiAdmins');
});

describe('challenges and account operations (AWS SDK v3)', () => {
  const clientId = () => rt.outputs.UserPoolClientId!;
  const passwordAuth = (USERNAME: string, PASSWORD: string) =>
    c.send(new InitiateAuthCommand({ ClientId: clientId(), AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD } }));
  const mailed = (to: string, words: string) =>
    [
      ...readFileSync(join(rt.stateDir, 'cognito', 'messages.log'), 'utf8').matchAll(
        new RegExp(`to=${to.replace(/[.+]/g, '\\$&')} ${words} (\\d{6})`, 'g'),
      ),
    ].at(-1)?.[1];

  it('NEW_PASSWORD_REQUIRED: a temporary password must be replaced, within the policy', async () => {
    const email = `temp-${Date.now()}@example.com`;
    await c.send(
      new AdminCreateUserCommand({
        UserPoolId: rt.outputs.UserPoolId,
        Username: email,
        TemporaryPassword: 'Temp-Passw0rd',
        MessageAction: 'SUPPRESS',
      }),
    );
    const challenge = await passwordAuth(email, 'Temp-Passw0rd');
    expect(challenge).toMatchObject({
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: expect.any(String),
      ChallengeParameters: { USER_ID_FOR_SRP: expect.any(String) },
    });
    const respond = (NEW_PASSWORD: string) =>
      c.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId(),
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: email, NEW_PASSWORD },
        }),
      );
    await expect(respond('short1A')).rejects.toMatchObject({ name: 'InvalidPasswordException' });
    const done = await respond('Own-Passw0rd');
    expect(done.AuthenticationResult?.IdToken).toBeDefined();
    await expect(respond('Other-Passw0rd')).rejects.toMatchObject({ name: 'NotAuthorizedException' }); // the session is spent
    expect((await c.send(new AdminGetUserCommand({ UserPoolId: rt.outputs.UserPoolId, Username: email }))).UserStatus).toBe('CONFIRMED');
  });

  it('ForgotPassword and ConfirmForgotPassword: the mailed code, its mismatches, and no hint about unknown users', async () => {
    const u = await createTestUser(rt.outputs);
    const sent = await c.send(new ForgotPasswordCommand({ ClientId: clientId(), Username: u.email }));
    expect(sent.CodeDeliveryDetails).toMatchObject({
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
      Destination: expect.stringMatching(/^u\*\*\*@e\*\*\*$/),
    });
    const unknown = await c.send(new ForgotPasswordCommand({ ClientId: clientId(), Username: 'nobody-here@example.com' }));
    expect(Object.keys(unknown.CodeDeliveryDetails ?? {}).sort()).toEqual(Object.keys(sent.CodeDeliveryDetails ?? {}).sort());
    const confirm = (ConfirmationCode: string, Password = 'Res3t-Passw0rd') =>
      c.send(new ConfirmForgotPasswordCommand({ ClientId: clientId(), Username: u.email, ConfirmationCode, Password }));
    await expect(confirm(mailed(u.email, 'Your password reset code is')!, 'weak')).rejects.toMatchObject({
      name: 'InvalidPasswordException',
    });
    await expect(confirm('000000')).rejects.toMatchObject({ name: 'CodeMismatchException' });
    await confirm(mailed(u.email, 'Your password reset code is')!);
    await expect(confirm(mailed(u.email, 'Your password reset code is')!)).rejects.toMatchObject({ name: 'ExpiredCodeException' }); // used up
    await expect(passwordAuth(u.email, u.password)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    expect((await passwordAuth(u.email, 'Res3t-Passw0rd')).AuthenticationResult).toBeDefined();
  });

  it('a code tried too often stops working (LimitExceededException)', async () => {
    const u = await createTestUser(rt.outputs);
    await c.send(new ForgotPasswordCommand({ ClientId: clientId(), Username: u.email }));
    for (let i = 0; i < 5; i++) {
      await expect(
        c.send(
          new ConfirmForgotPasswordCommand({
            ClientId: clientId(),
            Username: u.email,
            ConfirmationCode: '000000',
            Password: 'Res3t-Passw0rd',
          }),
        ),
      ).rejects.toMatchObject({ name: 'CodeMismatchException' });
    }
    await expect(
      c.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId(),
          Username: u.email,
          ConfirmationCode: mailed(u.email, 'Your password reset code is'),
          Password: 'Res3t-Passw0rd',
        }),
      ),
    ).rejects.toMatchObject({ name: 'LimitExceededException' });
  });

  it('ChangePassword checks the previous password and the policy', async () => {
    const u = await createTestUser(rt.outputs);
    const change = (PreviousPassword: string, ProposedPassword: string) =>
      c.send(new ChangePasswordCommand({ AccessToken: u.accessToken, PreviousPassword, ProposedPassword }));
    await expect(change('Wr0ng-Passw0rd', 'N3w-Passw0rd')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    await expect(change(u.password, 'nocaps123')).rejects.toMatchObject({ name: 'InvalidPasswordException' });
    await change(u.password, 'N3w-Passw0rd');
    expect((await passwordAuth(u.email, 'N3w-Passw0rd')).AuthenticationResult).toBeDefined();
  });

  it('GlobalSignOut ends every sign-in; RevokeToken ends one', async () => {
    const u = await createTestUser(rt.outputs);
    const other = (await passwordAuth(u.email, u.password)).AuthenticationResult!;
    const third = (await passwordAuth(u.email, u.password)).AuthenticationResult!;
    await c.send(new RevokeTokenCommand({ ClientId: clientId(), Token: third.RefreshToken }));
    await expect(c.send(new GetUserCommand({ AccessToken: third.AccessToken }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });
    await expect(c.send(new RevokeTokenCommand({ ClientId: clientId(), Token: third.AccessToken }))).rejects.toMatchObject({
      name: 'UnsupportedTokenTypeException',
    });
    // The other sign-ins are untouched by RevokeToken ...
    expect((await c.send(new GetUserCommand({ AccessToken: other.AccessToken }))).Username).toBeDefined();
    // ... and all end with GlobalSignOut.
    await c.send(new GlobalSignOutCommand({ AccessToken: u.accessToken }));
    for (const t of [u.accessToken, other.AccessToken!])
      await expect(c.send(new GetUserCommand({ AccessToken: t }))).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    for (const rt_ of [u.refreshToken, other.RefreshToken!]) {
      await expect(
        c.send(new InitiateAuthCommand({ ClientId: clientId(), AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: rt_ } })),
      ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    }
    // Signing in again works.
    expect((await passwordAuth(u.email, u.password)).AuthenticationResult).toBeDefined();
  });

  it('AdminInitiateAuth: the client’s flows apply (no ALLOW_ADMIN_USER_PASSWORD_AUTH), refresh works', async () => {
    const u = await createTestUser(rt.outputs);
    const admin = (AuthFlow: 'ADMIN_USER_PASSWORD_AUTH' | 'REFRESH_TOKEN_AUTH', AuthParameters: Record<string, string>) =>
      c.send(new AdminInitiateAuthCommand({ UserPoolId: rt.outputs.UserPoolId, ClientId: clientId(), AuthFlow, AuthParameters }));
    await expect(admin('ADMIN_USER_PASSWORD_AUTH', { USERNAME: u.email, PASSWORD: u.password })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    expect((await admin('REFRESH_TOKEN_AUTH', { REFRESH_TOKEN: u.refreshToken })).AuthenticationResult?.IdToken).toBeDefined();
  });

  it('UpdateUserAttributes: a new email is unverified until its mailed code; the schema is enforced', async () => {
    const u = await createTestUser(rt.outputs);
    const email = `moved-${Date.now()}@example.com`;
    const r = await c.send(
      new UpdateUserAttributesCommand({
        AccessToken: u.accessToken,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'name', Value: 'Ada' },
        ],
      }),
    );
    expect(r.CodeDeliveryDetailsList).toEqual([expect.objectContaining({ AttributeName: 'email', DeliveryMedium: 'EMAIL' })]);
    const attrs = async () =>
      Object.fromEntries(
        ((await c.send(new GetUserCommand({ AccessToken: u.accessToken }))).UserAttributes ?? []).map((a) => [a.Name, a.Value]),
      );
    expect(await attrs()).toMatchObject({ email, email_verified: 'false', name: 'Ada' });
    await expect(
      c.send(new VerifyUserAttributeCommand({ AccessToken: u.accessToken, AttributeName: 'email', Code: '000000' })),
    ).rejects.toMatchObject({ name: 'CodeMismatchException' });
    await c.send(
      new VerifyUserAttributeCommand({
        AccessToken: u.accessToken,
        AttributeName: 'email',
        Code: mailed(email, 'Your verification code is'),
      }),
    );
    expect(await attrs()).toMatchObject({ email, email_verified: 'true' });
    expect((await passwordAuth(email, u.password)).AuthenticationResult).toBeDefined();
    await expect(
      c.send(new UpdateUserAttributesCommand({ AccessToken: u.accessToken, UserAttributes: [{ Name: 'custom:nope', Value: 'x' }] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      c.send(new UpdateUserAttributesCommand({ AccessToken: u.accessToken, UserAttributes: [{ Name: 'email_verified', Value: 'true' }] })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    const taken = await createTestUser(rt.outputs);
    await expect(
      c.send(new UpdateUserAttributesCommand({ AccessToken: u.accessToken, UserAttributes: [{ Name: 'email', Value: taken.email }] })),
    ).rejects.toMatchObject({ name: 'AliasExistsException' });
  });
});
