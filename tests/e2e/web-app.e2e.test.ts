/**
 * The web app and the docs in a real headless chromium, against the whole local runtime
 * (`npm start` as tests/support/runtime.ts runs it): the edge's CloudFront Function, Cognito,
 * the API, the order pipeline and S3 are all the real local parts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLocalRuntime, type LocalRuntimeHandle } from '../support/runtime';
import { launchBrowser, shot, type Browser } from './browser';

// The hold keeps the second order PLACED long enough to cancel it, and the first one still
// reaches CONFIRMED well within the test's time. 6 s was too short on a loaded 2-core machine
// (load average 10): placing, the page and the click took longer and the cancel got a 409.
const HOLD_SECONDS = 20;
const password = 'Corr3ct-Horse';
const email = `e2e-${Date.now().toString(36)}@example.com`;

let rt: LocalRuntimeHandle;
let browser: Browser;
let page: Page;
let edge: string;
const problems: string[] = [];

beforeAll(async () => {
  rt = await startLocalRuntime({ parameterOverrides: { OrderHoldSeconds: String(HOLD_SECONDS) }, timeoutMs: 240_000 });
  edge = new URL(rt.outputs.WebURL!).origin;
  browser = await launchBrowser();
  page = browser.page;
  // CSP violations and script errors would mean the app is not CSP-friendly or is broken.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await rt?.stop();
}, 60_000);

/** `p`, or a clear failure after `ms` (a gate the browser never reached must not hang the suite). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** The confirmation code the local Cognito "mailed" (it writes mail to its messages.log). */
async function confirmationCode(to: string): Promise<string> {
  const file = join(rt.stateDir, 'cognito', 'messages.log');
  for (let i = 0; i < 50; i++) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : rt.output();
    const m = [...text.matchAll(new RegExp(`to=?:? ?${to.replace(/[.+]/g, '\\$&')}:? Your confirmation code is (\\d{6})`, 'g'))].pop();
    if (m) return m[1]!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no confirmation code mailed to ${to}`);
}

async function placeOrder(payment = 'tok_visa'): Promise<string> {
  await page.getByRole('link', { name: 'Shop', exact: true }).click();
  const first = page.locator('.product').first();
  await first.getByRole('spinbutton').fill('1');
  await page.getByRole('combobox', { name: 'Payment' }).selectOption(payment);
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.waitForURL(/\/app\/orders\/[^/]+$/);
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
}

describe('web app in a real browser', () => {
  it('redirects / to the docs, which list the API from the live OpenAPI document', async () => {
    const res = await page.goto(`${edge}/`);
    expect(new URL(page.url()).pathname).toBe('/docs/');
    expect(res?.headers()['x-frame-options']).toBe('DENY');
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.opblock-summary-path', { hasText: '/orders/{orderId}/retry' }).first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(24);
    await shot(page, '01-docs');
  });

  it('"Try it out" on the docs page calls the API at the server URL the document names (GET /health)', async () => {
    const op = page.locator('.opblock', { has: page.locator('.opblock-summary-path[data-path="/health"]') }).first();
    await op.locator('.opblock-summary').click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    await op.getByRole('button', { name: 'Execute' }).click();
    const live = op.locator('.live-responses-table');
    await live.locator('.response-col_status', { hasText: '200' }).waitFor({ timeout: 15_000 });
    // The request went to the local API under its stage, as requestContext and X-Forwarded-Proto describe it.
    await expect(op.locator('.request-url pre').textContent()).resolves.toBe(`${rt.outputs.APIEndpoint}/health`);
    await expect(live.locator('.response-col_description pre').first().textContent()).resolves.toContain('"ok": true');
    await shot(page, '01b-docs-try-it-out');
  });

  it('explains a failed sign-in', async () => {
    await page.goto(`${edge}/app/`);
    await page.getByLabel('Email').fill('nobody@example.com');
    await page.getByLabel('Password').fill('Wrong-passw0rd');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Email or password is not right');
    await shot(page, '02-sign-in-error');
  });

  it('signs up, confirms with the emailed code and is signed in', async () => {
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByLabel('Confirmation code').waitFor();
    await page.getByLabel('Confirmation code').fill(await confirmationCode(email));
    await page.getByRole('button', { name: 'Confirm email' }).click();
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe(email);
    await page.locator('.product').first().waitFor();
    await shot(page, '03-shop');
  });

  it('places an order and follows it live until CONFIRMED', async () => {
    const orderId = await placeOrder();
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
    const status = page.locator('.order-head [data-testid="order-status"]');
    await expect(status.textContent()).resolves.toMatch(/PLACED|VALIDATED|RESERVED|CHARGED|CONFIRMED/);
    await page.locator('.order-head [data-testid="order-status"]', { hasText: 'CONFIRMED' }).waitFor({ timeout: 60_000 });
    await page.getByText('This order is complete.').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    await shot(page, '04-order-confirmed');
  });

  it('cancels another order while it is still PLACED', async () => {
    await placeOrder();
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.locator('.order-head [data-testid="order-status"]', { hasText: 'CANCELED' }).waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: 'Orders', exact: true }).click();
    await page.locator('.row', { hasText: 'CANCELED' }).first().waitFor();
    await page.locator('.row', { hasText: 'CONFIRMED' }).first().waitFor();
    await shot(page, '05-orders');
  });

  it('adds, edits, completes and deletes to-dos', async () => {
    await page.getByRole('link', { name: 'To-dos', exact: true }).click();
    const input = page.getByPlaceholder('What needs doing?');
    await input.fill('Buy milk');
    await input.press('Enter');
    await page.locator('.todo', { hasText: 'Buy milk' }).waitFor();
    await page.getByRole('button', { name: 'Edit Buy milk' }).click();
    await page.getByLabel('Title').fill('Buy oat milk');
    await page.getByLabel('Title').press('Enter');
    const todo = page.locator('.todo', { hasText: 'Buy oat milk' });
    await todo.waitFor();
    // click, not check(): the box is controlled and flips only once the API has answered.
    await page.getByRole('checkbox', { name: 'Complete Buy oat milk' }).click();
    await page.locator('.todo.todo-done', { hasText: 'Buy oat milk' }).waitFor();
    await input.fill('Throw away');
    await input.press('Enter');
    await page.getByRole('button', { name: 'Delete Throw away' }).click();
    await page.locator('.todo', { hasText: 'Throw away' }).waitFor({ state: 'detached' });
    // A reload (client route served by the SPA fallback) shows what the API stored.
    await page.goto(`${edge}/app/todos`);
    await page.locator('.todo.todo-done', { hasText: 'Buy oat milk' }).waitFor();
    expect(await page.locator('.todo').count()).toBe(1);
    await shot(page, '06-todos');
  });

  // The list's first read and an add race (CI once showed the added to-do twice): the browser's
  // network is held so each order happens for sure.
  it('shows a to-do added while the list is still loading exactly once, whichever answers first', async () => {
    const gate = () => {
      let open!: () => void;
      return { passed: new Promise<void>((r) => (open = r)), open: () => open() };
    };
    const listRead = /\/todos\?limit=100$/;
    const isAdd = (method: string, url: string) => method === 'POST' && /\/todos$/.test(new URL(url).pathname);
    for (const [title, readAfterStore] of [
      ['Read after the add stored', true],
      ['Read before the add stored', false],
    ] as const) {
      await page.getByRole('link', { name: 'Shop', exact: true }).click();
      const stored = gate();
      const read = gate();
      const answered = gate();
      await page.route(
        listRead,
        async (route) => {
          if (readAfterStore) await stored.passed; // the read sees the new to-do ...
          const res = await route.fetch();
          if (!readAfterStore) await answered.passed; // ... or misses it and lands after the add's answer
          await route.fulfill({ response: res });
          read.open();
        },
        { times: 1 },
      );
      // No `times: 1` here: the CORS preflight (OPTIONS) passes through this handler first.
      await page.route(
        (url) => /\/todos$/.test(url.pathname),
        async (route) => {
          if (!isAdd(route.request().method(), route.request().url())) return route.fallback();
          const res = await route.fetch();
          stored.open();
          if (readAfterStore) await read.passed; // the add's answer lands after the read
          await route.fulfill({ response: res });
          answered.open();
        },
      );
      await page.getByRole('link', { name: 'To-dos', exact: true }).click();
      const input = page.getByPlaceholder('What needs doing?');
      await input.fill(title);
      await input.press('Enter');
      await within(Promise.all([read.passed, answered.passed]), 15_000, `${title}: the read and the add were not both seen`);
      await page.locator('.todo', { hasText: title }).first().waitFor();
      // Once both have landed the list must settle on one copy (read a few times: a wrong list would stay wrong).
      for (let i = 0; i < 5; i++) {
        expect(await page.locator('.todo', { hasText: title }).count()).toBe(1);
        await page.waitForTimeout(100);
      }
      await page.getByRole('button', { name: `Delete ${title}` }).click();
      await page.locator('.todo', { hasText: title }).waitFor({ state: 'detached' });
      await page.unrouteAll();
    }
  });

  it('uploads a file with a progress bar', async () => {
    await page.getByRole('link', { name: 'Uploads', exact: true }).click();
    const body = Buffer.from('sku,qty\n'.repeat(30_000));
    await page.locator('input[type="file"]').setInputFiles({ name: 'inventory.csv', mimeType: 'text/csv', buffer: body });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByTestId('uploaded-file').filter({ hasText: 'inventory.csv' }).waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('upload-percent').textContent()).resolves.toBe('100%');
    await shot(page, '07-upload');
  });

  it('is readable on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Shop', exact: true }).click();
    await page.locator('.product').first().waitFor();
    // Evaluated in the page (a string: this file is compiled without DOM types).
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, '08-phone-shop');
    expect(problems).toEqual([]);
  });
});
