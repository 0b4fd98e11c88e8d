import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

import sparticuz from '@sparticuz/chromium';
import { currentTest } from './current-test.js';

/**
 * The Chromium the tests drive: the one `@sparticuz/chromium` ships inside its npm package (pinned by
 * the lockfile, so every machine runs the same browser and nothing is installed by hand), unpacked
 * on first use; PLINTH_CHROMIUM names another binary instead.
 */
export async function chromiumPath(): Promise<string> {
  if (process.env.PLINTH_CHROMIUM) return process.env.PLINTH_CHROMIUM;
  return sparticuz.executablePath();
}

/**
 * The shared libraries the bundled Chromium links that a bare Debian/Ubuntu image may lack (`ldd` on
 * the unpacked binary; the rest is glibc), with the package that ships each. The README names them.
 */
export const CHROMIUM_LIBRARIES: Record<string, string> = {
  'libnss3.so': 'libnss3',
  'libnssutil3.so': 'libnss3',
  'libnspr4.so': 'libnspr4',
  'libplc4.so': 'libnspr4',
  'libplds4.so': 'libnspr4',
  'libexpat.so.1': 'libexpat1',
};

/**
 * The libraries a launch failed for: every `=> not found` line of `ldd` on the binary, and the one
 * the dynamic loader named in the error ("error while loading shared libraries: libnss3.so: …").
 */
export function missingLibraries(lddOutput: string, launchError: string): string[] {
  const missing = new Set<string>();
  for (const m of lddOutput.matchAll(/^\s*(\S+) => not found/gm)) missing.add(m[1]);
  const loader = /error while loading shared libraries: ([^:\s]+):/.exec(launchError);
  if (loader) missing.add(loader[1]);
  return [...missing].sort();
}

/** A launch error that names the missing libraries and what to install, or null when libraries are not why it failed. */
export function missingLibrariesError(executablePath: string, launchError: string): Error | null {
  let ldd = '';
  try {
    ldd = execFileSync('ldd', [executablePath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch {
    // no ldd, or not a dynamic executable: the loader's own line is all there is
  }
  const missing = missingLibraries(ldd, launchError);
  if (missing.length === 0) return null;
  const packages = [...new Set(missing.map((lib) => CHROMIUM_LIBRARIES[lib]).filter(Boolean))];
  return new Error(
    `the browser at ${executablePath} cannot start: missing shared ${missing.length === 1 ? 'library' : 'libraries'} ${missing.join(', ')}` +
      (packages.length ? ` (on Debian/Ubuntu: apt-get install ${packages.join(' ')})` : '') +
      '; or set PLINTH_CHROMIUM to a Chromium that runs here',
  );
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

/**
 * A refusal the test provokes on purpose (a wrong password's 401, a duplicate's 409): answers with
 * this status to a request on this path are not problems. `times` (default 1) is how many must come:
 * fewer by the time the browser closes is a problem too; `'any'` allows none or several (a poll).
 */
export interface ExpectedRefusal {
  status: number;
  /** The path without the query, exactly, or a pattern tested on path + query. */
  path: string | RegExp;
  /** GET, POST…; any method when left out. */
  method?: string;
  times?: number | 'any';
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /**
   * What went wrong so far and was not expected: console errors, uncaught exceptions (CSP
   * violations show up as console errors), answers >= 400 and requests that failed (but not
   * net::ERR_ABORTED, what a navigation or a closed stream does to a request in flight), each
   * naming the test during which it happened.
   */
  readonly problems: string[];
  /** Declares a refusal the test provokes (see ExpectedRefusal). */
  expectRefusal(refusal: ExpectedRefusal): void;
  /**
   * Declares a console error (tested on its message) or a failed request (on `GET /path: net::ERR_…`) the
   * test provokes on purpose, e.g. the sandbox refusing a hostile mail's script, CSP refusing its images.
   */
  allow(pattern: RegExp): void;
  /** Throws when there are problems or an expected refusal did not come (close() does this for every browser). */
  check(): void;
  /** Closes the browser, then checks: a test's browser problems fail its suite even if no test asked. */
  close(): Promise<void>;
}

type Seen =
  | { kind: 'refusal'; status: number; method: string; path: string; full: string; text: string }
  | { kind: 'console' | 'failed'; what: string; text: string }
  | { kind: 'uncaught'; text: string };

const during = () => {
  const test = currentTest();
  return test ? ` (during "${test}")` : '';
};

const pathOf = (url: string) => {
  try {
    const u = new URL(url);
    return { path: u.pathname, full: u.pathname + u.search };
  } catch {
    return { path: url, full: url };
  }
};

/**
 * A headless chromium with a fresh profile, pointed at baseURL, recording every page's problems.
 * `locale` sets the browser's language (navigator.languages, Accept-Language), e.g. 'zh-CN'.
 */
export async function launchBrowser(baseURL: string, options: { locale?: string } = {}): Promise<TestBrowser> {
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
      ...(options.locale ? { locale: options.locale } : {}),
    });
  } catch (err) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw missingLibrariesError(executablePath, String((err as Error)?.message ?? err)) ?? err;
  }
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const seen: Seen[] = [];
  const expected: Array<ExpectedRefusal & { times: number | 'any' }> = [];
  const allowed: RegExp[] = [];
  let closed = false;
  context.on('weberror', (err) => seen.push({ kind: 'uncaught', text: `uncaught: ${err.error().message}${during()}` }));
  context.on('console', (msg) => {
    // Chromium's "Failed to load resource" repeats what the response and requestfailed listeners record with the URL.
    if (msg.type() !== 'error' || /^Failed to load resource/.test(msg.text())) return;
    seen.push({ kind: 'console', what: msg.text(), text: `console: ${msg.text()}${during()}` });
  });
  context.on('response', (res) => {
    if (res.status() < 400) return;
    const method = res.request().method();
    const { path: p, full } = pathOf(res.url());
    seen.push({ kind: 'refusal', status: res.status(), method, path: p, full, text: `${res.status()} ${method} ${full}${during()}` });
  });
  context.on('requestfailed', (req) => {
    const error = req.failure()?.errorText ?? 'failed';
    if (closed || error === 'net::ERR_ABORTED') return;
    const what = `${req.method()} ${pathOf(req.url()).full}: ${error}`;
    seen.push({ kind: 'failed', what, text: `request failed: ${what}${during()}` });
  });

  const matches = (e: ExpectedRefusal, s: Extract<Seen, { kind: 'refusal' }>) =>
    e.status === s.status &&
    (e.method === undefined || e.method.toUpperCase() === s.method) &&
    (typeof e.path === 'string' ? e.path === s.path : e.path.test(s.full));

  /** The problems not expected, and how many times each expectation was met. */
  const sort = () => {
    const met = expected.map(() => 0);
    const problems: string[] = [];
    for (const s of seen) {
      if (s.kind === 'refusal') {
        const i = expected.findIndex((e, j) => matches(e, s) && (e.times === 'any' || met[j] < e.times));
        if (i >= 0) met[i]++;
        else problems.push(s.text);
      } else if (!(s.kind !== 'uncaught' && allowed.some((a) => a.test(s.what)))) {
        problems.push(s.text);
      }
    }
    return { problems, met };
  };

  const browser: TestBrowser = {
    context,
    page,
    get problems() {
      return sort().problems;
    },
    expectRefusal(refusal) {
      expected.push({ ...refusal, times: refusal.times ?? 1 });
    },
    allow(pattern) {
      allowed.push(pattern);
    },
    check() {
      const { problems, met } = sort();
      expected.forEach((e, i) => {
        if (e.times !== 'any' && met[i] < e.times) problems.push(`expected ${e.times}× ${e.status} ${e.method ?? '*'} ${e.path}, saw ${met[i]}`);
      });
      if (problems.length) throw new Error(`the browser saw ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        fs.rmSync(userDataDir, { recursive: true, force: true });
      }
      browser.check();
    },
  };
  return browser;
}

/** Saves a screenshot when PLINTH_SCREENSHOTS names a folder (to look at by eye, or keep from CI). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.PLINTH_SCREENSHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Opens the admin UI's sign-in page and signs in with an email and a password, as a person would. */
export async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto('/admin');
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
