// Starts Plinth the way a self-hoster does: `node dist/scripts/plinth.js start`, default config
// plugins, its own data dir, bound to 127.0.0.1 on free ports.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseEnv } from './database.js';
import { cleanEnv, freePort, makeTempDir, removeTempDir, spawnChild, waitForHttp, type Child, type RunningServer } from './process.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface PlinthOptions {
  /** Reuse this data dir (kept after stop); otherwise a fresh temp dir, removed after stop. */
  dataDir?: string;
  /** PLINTH_LOG_LEVEL; 'warn' keeps the per-request access log off. */
  logLevel?: string;
  /** More env, e.g. PLINTH_PLUGINS for a figure that needs a plugin the default config lacks. */
  env?: Record<string, string>;
  bootTimeoutMs?: number;
  /** PostgreSQL: use this database (kept after stop) instead of a fresh one; e.g. two instances on one database. */
  databaseUrl?: string;
  /** Another built checkout to run instead of this one (the `builds` figure's baseline). */
  root?: string;
  /** Another Node.js binary to run it with (the baseline's; its checkout's native modules must be built for it). */
  node?: string;
}

export interface PlinthServer extends RunningServer {
  child: Child;
  dataDir: string;
  /** From spawn to the first 200 on GET /health, in ms. */
  bootMs: number;
  /** The built-in SMTP receiver's port (mail plugin). */
  smtpPort: number;
}

export async function startPlinth(options: PlinthOptions = {}): Promise<PlinthServer> {
  const root = options.root ?? projectRoot;
  const entry = path.join(root, 'dist', 'scripts', 'plinth.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing; run npm run build`);
  const ownsDir = !options.dataDir;
  const dataDir = options.dataDir ?? makeTempDir('data');
  const [port, smtpPort] = [await freePort(), await freePort()];
  const database = options.databaseUrl ? { env: { DATABASE_URL: options.databaseUrl }, drop: async () => {} } : await databaseEnv('plinth');
  const env = cleanEnv({
    PORT: String(port),
    SMTP_PORT: String(smtpPort),
    PLINTH_HOST: '127.0.0.1',
    PLINTH_PUBLIC_URL: `http://127.0.0.1:${port}`,
    PLINTH_DATA_DIR: dataDir,
    PLINTH_LOG_LEVEL: options.logLevel ?? 'warn',
    NODE_ENV: 'production',
    // The bench signs in as a password-only superadmin to set up its data; the second-factor policy
    // (superadmins by default) would refuse it. No figure times a sign-in that needs a second factor.
    PLINTH_MFA_REQUIRE: 'none',
    ...database.env,
    ...options.env,
  });
  const started = performance.now();
  // BENCH_PLINTH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") goes to every Plinth process, for profiling.
  const nodeArgs = (process.env.BENCH_PLINTH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawnChild('plinth', options.node ?? process.execPath, [...nodeArgs, entry, 'start'], { env, cwd: root });
  const stop = async () => {
    await child.stop();
    if (ownsDir) removeTempDir(dataDir);
    await database.drop();
  };
  try {
    const ready = await waitForHttp(child, port, '/health', { timeoutMs: options.bootTimeoutMs ?? 20000, intervalMs: 5 });
    return { name: 'plinth', pid: child.pid, port, url: `http://127.0.0.1:${port}`, child, dataDir, bootMs: ready - started, smtpPort, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
