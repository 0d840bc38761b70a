/**
 * Signing in to the web app in a real headless chromium against `npm start`: SRP through
 * Amplify (the password never leaves the page), the hosted UI round trip (code flow with
 * PKCE through the local hosted UI), sign-out of both, and CognitoLoginURL opened directly.
 */
import type { Page, Request } from 'playwright-core';
import { createTestUser, startLocalRuntime, type LocalRuntimeHandle, type TestUser } from '../support/runtime';
import { launchBrowser, shot, type Browser } from './browser';

let rt: LocalRuntimeHandle;
let browser: Browser;
let page: Page;
let edge: string;
let user: TestUser;
const problems: string[] = [];
/** Every request the page sent to the local Cognito endpoint (API and hosted UI). */
const cognitoRequests: Request[] = [];

beforeAll(async () => {
  rt = await startLocalRuntime({ timeoutMs: 240_000 });
  edge = new URL(rt.outputs.WebURL!).origin;
  user = await createTestUser(rt.outputs);
  browser = await launchBrowser();
  page = browser.page;
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => {
    if (r.url().startsWith(rt.outputs.CognitoEndpoint!)) cognitoRequests.push(r);
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await rt?.stop();
}, 60_000);

const target = (r: Request) => r.headers()['x-amz-target']?.split('.').pop();
const signedInAs = () => page.getByTestId('signed-in-as').textContent();
const signInForm = () => page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

/** The orders page loads from the API with the session's ID token. */
async function ordersLoad(): Promise<void> {
  const response = page.waitForResponse((r) => r.url().startsWith(`${rt.outputs.APIEndpoint}/orders`) && r.request().method() === 'GET');
  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  expect((await response).status()).toBe(200);
}

describe('signing in to the web app', () => {
  it('signs in with SRP: Amplify proves the password without sending it', async () => {
    await page.goto(`${edge}/app/`);
    cognitoRequests.length = 0;
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(signedInAs()).resolves.toBe(user.email);
    const initiate = cognitoRequests.find((r) => target(r) === 'InitiateAuth');
    expect(initiate?.postDataJSON()).toMatchObject({
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: user.email, SRP_A: expect.any(String) },
    });
    expect(cognitoRequests.map(target)).toContain('RespondToAuthChallenge');
    expect(cognitoRequests.filter((r) => (r.postData() ?? '').includes(user.password))).toEqual([]);
    await ordersLoad();
    await shot(page, 'sign-in-01-srp');
  });

  it('keeps the session over a reload, then signs out (the refresh token revoked)', async () => {
    await page.reload();
    await expect(signedInAs()).resolves.toBe(user.email);
    cognitoRequests.length = 0;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInForm();
    expect(cognitoRequests.map(target)).toContain('RevokeToken');
    const keys = await page.evaluate<string[]>('Object.keys(sessionStorage)');
    expect(keys.filter((k) => /idToken|accessToken|refreshToken/.test(k))).toEqual([]);
  });

  it('signs in through the hosted UI: the code flow with PKCE, back to the app', async () => {
    cognitoRequests.length = 0;
    await page.getByRole('button', { name: 'Sign in with the hosted UI' }).click();
    await page.waitForURL(`${rt.outputs.CognitoEndpoint}/login?**`);
    const authorize = new URL(cognitoRequests.find((r) => r.url().includes('/oauth2/authorize'))!.url());
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: `${edge}/app/`,
      scope: 'openid email profile',
    });
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    await shot(page, 'sign-in-02-hosted-ui');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(signedInAs()).resolves.toBe(user.email);
    const token = cognitoRequests.find((r) => r.url().endsWith('/oauth2/token'));
    const form = new URLSearchParams(token?.postData() ?? '');
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code_verifier')).toMatch(/^[\w-]{43,128}$/);
    expect(new URL(page.url()).search).toBe(''); // the code is gone from the address bar
    await ordersLoad();
  });

  it('signs out of the app and of the hosted UI', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${edge}/app/`);
    await signInForm();
    // The hosted UI's session ended too: it asks for the password again.
    await page.getByRole('button', { name: 'Sign in with the hosted UI' }).click();
    await page.waitForURL(`${rt.outputs.CognitoEndpoint}/login?**`);
    await page.getByLabel('Password').waitFor();
  });

  it('CognitoLoginURL opened directly signs in too; its code is never redeemed without PKCE', async () => {
    cognitoRequests.length = 0;
    await page.goto(rt.outputs.CognitoLoginURL!);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(signedInAs()).resolves.toBe(user.email);
    const redeemed = cognitoRequests.filter((r) => r.url().endsWith('/oauth2/token')).map((r) => new URLSearchParams(r.postData() ?? ''));
    expect(redeemed).toHaveLength(1);
    expect(redeemed[0]!.get('code_verifier')).toBeTruthy();
    await shot(page, 'sign-in-03-login-url');
    expect(problems).toEqual([]);
  });
});
