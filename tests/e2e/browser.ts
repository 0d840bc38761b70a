/**
 * Headless Chromium through playwright-core, found by tests/support/chromium.ts (CHROMIUM_PATH,
 * an installed Chromium or Chrome, or @sparticuz/chromium on linux-x64; never a download).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findChromium, type ChromiumChoice } from '../support/chromium';

export const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'e2e');
// The same flags whichever binary runs. Not @sparticuz/chromium's own `args`: those are for
// Lambda (--single-process, --disable-web-security, ...) and would hide the CORS and CSP
// mistakes this suite is there to catch.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

let chosen: ChromiumChoice | undefined;

export async function launchBrowser(viewport = { width: 1280, height: 860 }): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  if (!chosen) {
    chosen = findChromium();
    console.log(`browser: ${chosen.executablePath} (${chosen.source})`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'myapp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chosen.executablePath,
    args: FLAGS,
    headless: true,
    viewport,
    timeout: 30_000,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
