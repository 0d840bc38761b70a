/**
 * The local Cognito endpoint of template.yaml's user pool, through the AWS SDK's
 * CognitoIdentityProviderClient as an app or `aws cognito-idp --endpoint-url` would use it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdminGetUserCommand,
  ConfirmSignUpCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUsersCommand,
  SignUpCommand,
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
    c.send(new InitiateAuthCommand({ ClientId: rt.outputs.UserPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: 'Corr3ctHorse' } })),
  ).rejects.toMatchObject({ name: 'UserNotConfirmedException' });
  await expect(c.send(new ConfirmSignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: email, ConfirmationCode: '000000x' }))).rejects.toMatchObject({ name: 'CodeMismatchException' });

  const mailbox = readFileSync(join(rt.stateDir, 'cognito', 'messages.log'), 'utf8');
  const code = new RegExp(`to=${email.replace(/\./g, '\\.')} .*?(\\d{6})`).exec(mailbox)?.[1];
  expect(code).toBeDefined();
  await c.send(new ConfirmSignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: email, ConfirmationCode: code }));

  const auth = await c.send(new InitiateAuthCommand({ ClientId: rt.outputs.UserPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: 'Corr3ctHorse' } }));
  const r = auth.AuthenticationResult!;
  const me = await c.send(new GetUserCommand({ AccessToken: r.AccessToken }));
  expect(me.UserAttributes?.find((a) => a.Name === 'email')?.Value).toBe(email);
  expect(me.UserAttributes?.find((a) => a.Name === 'email_verified')?.Value).toBe('true');

  const refreshed = await c.send(new InitiateAuthCommand({ ClientId: rt.outputs.UserPoolClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: r.RefreshToken! } }));
  expect(refreshed.AuthenticationResult?.IdToken).toBeDefined();
  await expect(
    c.send(new InitiateAuthCommand({ ClientId: rt.outputs.UserPoolClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: 'not-a-token' } })),
  ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
});

it('enforces the pool’s password policy and refuses duplicate emails', async () => {
  await expect(c.send(new SignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: 'weak@example.com', Password: 'alllower1' }))).rejects.toMatchObject({ name: 'InvalidPasswordException' });
  const u = await createTestUser(rt.outputs);
  await expect(c.send(new SignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: u.email, Password: 'Corr3ctHorse' }))).rejects.toMatchObject({ name: 'UsernameExistsException' });
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
    expect(verify('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk!, format: 'jwk' }), Buffer.from(sig, 'base64url'))).toBe(true);
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims.iss).toBe(issuer);
    expect(Number(claims.exp)).toBeGreaterThan(Date.now() / 1000);
    return claims;
  };
  const id = verifyJwt(admin.idToken);
  expect(id).toMatchObject({ token_use: 'id', aud: rt.outputs.UserPoolClientId, email: admin.email, email_verified: true, 'cognito:groups': ['apiAdmins'] });
  expect(typeof id['cognito:username']).toBe('string');
  const access = verifyJwt(admin.accessToken);
  expect(access).toMatchObject({ token_use: 'access', client_id: rt.outputs.UserPoolClientId, sub: id.sub, origin_jti: id.origin_jti });
  // A tampered payload no longer verifies.
  const [h, , sig] = admin.idToken.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ ...id, 'cognito:groups': ['root'] })).toString('base64url');
  expect(verify('RSA-SHA256', Buffer.from(`${h}.${forgedPayload}`), createPublicKey({ key: keys[0]!, format: 'jwk' }), Buffer.from(sig!, 'base64url'))).toBe(false);
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
