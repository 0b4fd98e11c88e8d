import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Knex } from 'knex';
import { projectRoot } from '../../core/paths.js';
import { createDatabase } from '../../core/db/connection.js';
import { mergeConfig } from '../../core/config/load.js';
import type { CoreConfig } from '../../core/config/schema.js';
import type { TestDatabase } from './database.js';

/** A loopback port that was free a moment ago (for processes whose port cannot be read from outside). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns something truthy; fails naming `what` after `timeoutMs` (a bound, not an assertion on speed). */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, { timeoutMs = 30_000, intervalMs = 50 } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await pause(intervalMs);
  }
}

/** A knex connection to a test database, to look at it from outside any app (or after one stopped). */
export function openDatabase(database: TestDatabase): Knex {
  return createDatabase({ database: { url: database.url, poolMax: 2 }, dataDir: database.dataDir } as CoreConfig);
}

/** Writes a config file for a spawned `plinth` on `database`, with the example plugin enabled. */
export function writeConfig(database: TestDatabase, extra: Record<string, unknown> = {}, name = 'config.json'): string {
  const base = {
    server: { host: '127.0.0.1', port: 0, publicUrl: 'http://plinth.test' },
    smtp: { host: '127.0.0.1', port: 0 },
    dataDir: database.dataDir,
    database: { url: database.url },
    log: { level: 'info' },
    plugins: ['example'],
    pluginDirs: ['plugins', 'test/fixtures/plugins'],
    settings: {},
  };
  const file = path.join(database.dataDir, name);
  const config = mergeConfig(base, extra) as typeof base & { settings: Record<string, Record<string, any>> };
  // As createTestApp does (test/helpers/app.ts): no second-factor policy unless the test sets one.
  if (config.plugins.includes('auth') && config.settings.auth?.mfa?.require === undefined) {
    config.settings.auth = { ...config.settings.auth, mfa: { ...config.settings.auth?.mfa, require: 'none' } };
  }
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** The environment of this process without anything that would override the config file. */
function childEnv(configFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(PLINTH_|DATABASE_URL$|PORT$|SMTP_PORT$|REDIS_URL$)/.test(key)) continue;
    env[key] = value;
  }
  env.PLINTH_CONFIG = configFile;
  return env;
}

export interface PlinthProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has exited. */
  readonly gone: boolean;
}

export interface SpawnOptions {
  /** More options for node, after `--import tsx` (e.g. a test fixture's `--import`). */
  nodeArgs?: string[];
  /** Environment variables to set (undefined: to remove), over this process's (e.g. OTEL_*). */
  env?: Record<string, string | undefined>;
}

/** Spawns `node --import tsx scripts/plinth.ts …args` from the project root, configured by `configFile` only. */
export function spawnPlinth(args: string[], configFile: string, { nodeArgs = [], env = {} }: SpawnOptions = {}): PlinthProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, 'scripts/plinth.ts', ...args], {
    cwd: projectRoot,
    env: Object.fromEntries(Object.entries({ ...childEnv(configFile), ...env }).filter(([, value]) => value !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let gone = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      gone = true;
      resolve({ code, signal });
    });
  });
  return {
    child,
    output: () => out,
    exited,
    get gone() {
      return gone;
    },
  };
}

/** Runs a `plinth` CLI command to its end. */
export async function runPlinth(args: string[], configFile: string): Promise<{ code: number | null; output: string }> {
  const p = spawnPlinth(args, configFile);
  const { code } = await p.exited;
  return { code, output: p.output() };
}

/**
 * Starts `plinth start` on `port` and waits until /health answers (or the process dies). The bound is
 * generous: several cold boots at once on a loaded 2-core machine took over 30 s.
 */
export async function startServer(configFile: string, port: number, options: SpawnOptions = {}): Promise<PlinthProcess> {
  const p = spawnPlinth(['start'], configFile, options);
  await waitFor(
    `plinth start on port ${port}`,
    async () => {
      if (p.gone) throw new Error(`plinth start exited early:\n${p.output()}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200;
      } catch {
        return false;
      }
    },
    { timeoutMs: 90_000 },
  );
  return p;
}

/** Node arguments that make a spawned Plinth record every module it loads into LOADED_MODULES_FILE (test/fixtures/loaded-modules.ts). */
export const MODULE_RECORDER = ['--import', './test/fixtures/loaded-modules.ts'];

/** What a process spawned with MODULE_RECORDER loaded, once it has exited: the lines the recorder wrote. */
export const loadedModules = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);

/** Sends `signal` unless the process is already gone, and waits for it to exit. */
export async function kill(p: PlinthProcess, signal: NodeJS.Signals = 'SIGKILL') {
  if (!p.gone) p.child.kill(signal);
  return p.exited;
}

/** A throwaway plugin folder: `files` maps relative paths to contents; the folder is an ESM package. */
export function writePlugins(root: string, plugins: Record<string, Record<string, string>>): string {
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  for (const [name, files] of Object.entries(plugins)) {
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(root, name, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  }
  return root;
}
