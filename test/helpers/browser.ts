import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

import sparticuz from '@sparticuz/chromium';

/**
 * The Chromium the tests drive: the one `@sparticuz/chromium` ships inside its npm package (pinned by
 * the lockfile, so every machine runs the same browser and nothing is installed by hand), unpacked
 * on first use; PLINTH_CHROMIUM names another binary instead.
 */
export async function chromiumPath(): Promise<string> {
  if (process.env.PLINTH_CHROMIUM) return process.env.PLINTH_CHROMIUM;
  return sparticuz.executablePath();
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far (CSP violations show up here). */
  problems: string[];
  close(): Promise<void>;
}

/** A headless chromium with a fresh profile, pointed at baseURL. */
export async function launchBrowser(baseURL: string): Promise<TestBrowser> {
  const executablePath = await chromiumPath();
  if (!fs.existsSync(executablePath)) throw new Error(`no browser at ${executablePath} (PLINTH_CHROMIUM)`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: ARGS,
      baseURL,
      viewport: { width: 1280, height: 800 },
    });
  } catch (err) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    // A 401/404 the app expects is logged by Chromium as "Failed to load resource"; those are not problems.
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(msg.text());
  });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot when PLINTH_SCREENSHOTS names a folder (to look at by eye, or keep from CI). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.PLINTH_SCREENSHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
