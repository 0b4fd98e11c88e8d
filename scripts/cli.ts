// The Plinth CLI: plinth start | migrate | jobs list | jobs run NAME | <plugin command> … (entered through scripts/plinth.ts)
import path from 'node:path';
import nodeModule from 'node:module';
import { parseArgs } from 'node:util';
import { createApp, migrationFolders, type Plinth } from '../core/app.js';
import { RestoreRefused, restoreBackup } from '../core/backup/restore.js';
import { ConfigError, loadConfig } from '../core/config/load.js';
import { listMigrations } from '../core/db/migrations.js';
import { codeRoot, projectRoot } from '../core/paths.js';
import { loadPlugins } from '../core/plugins/loader.js';
import { shutdownTracing } from '../core/observability/trace-context.js';

const USAGE = `usage: plinth <command>
  start            migrate, start the enabled plugins and serve (default)
  migrate          apply pending migrations and exit
  jobs list        list scheduled jobs with their last run
  jobs run NAME    run one job now, recorded in the job history
  backup [--out FILE]
                   a consistent backup while the server runs (default: into backup.dir)
  restore FILE [--force] [--same-deployment]
                   restore a backup into the configured database, with every server stopped
  create-plugin NAME [--dir DIR]
                   write a new plugin package (manifest, route, migration, event, action, page, test)
  build-ui         build the admin pages of plugins from npm or folders (start does it when needed)
plugin commands (when their plugin is enabled), e.g. create-admin (auth)`;

/**
 * Exit status after the database failed to make a write durable (EX_IOERR): the supervisor restarts
 * the process, and SQLite recovers from its write-ahead log on open.
 */
const EXIT_DISK_FAULT = 74;

async function start(): Promise<void> {
  const bootStarted = performance.now();
  // As a PostgreSQL PANIC: no graceful stop (it would write, and answer requests meanwhile). The app
  // has logged it at fatal (pino flushes its pending lines on exit).
  const app = await createApp({ onFatal: () => process.exit(EXIT_DISK_FAULT) });
  await app.start();
  nodeModule.flushCompileCache?.(); // the modules of a start are loaded: their code is on disk even if this process is killed
  // Plain text for the person at the terminal (admin URL, a generated password), not a log record.
  process.stdout.write(app.banner());
  app.logger.info({ bootMs: Math.round(performance.now() - bootStarted), plugins: app.plugins.map((p) => p.plugin.name) }, 'plinth started');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    // Then the spans not exported yet, when OpenTelemetry runs (a no-op otherwise).
    app
      .stop()
      .then(shutdownTracing)
      .then(
        () => process.exit(0),
        (err) => {
          app.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function withApp(fn: (app: Plinth) => Promise<number>): Promise<number> {
  const app = await createApp({ overrides: { log: { level: process.env.PLINTH_LOG_LEVEL ? undefined : 'warn' } } as never });
  try {
    return await fn(app);
  } finally {
    await app.stop();
  }
}

async function backup(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  return withApp(async (app) => {
    const result = await app.container.resolve('backups').create({ trigger: 'cli', out: values.out });
    console.log(`backup written: ${result.file} (${result.bytes} bytes, ${result.manifest.database}, Plinth ${result.manifest.plinthVersion})`);
    if (result.locations.includes('s3')) console.log('copied to S3');
    if (result.pruned) console.log(`${result.pruned} older backups deleted (backup.keep = ${app.config.backup.keep})`);
    console.log('It holds password hashes and signing keys: it is readable by its owner only; keep it that way.');
    return 0;
  });
}

async function restore(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { force: { type: 'boolean', default: false }, 'same-deployment': { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) {
    console.error('usage: plinth restore FILE [--force] [--same-deployment]');
    return 2;
  }
  const config = loadConfig({ root: projectRoot });
  const knownMigrations = listMigrations(migrationFolders(await loadPlugins(config, codeRoot))).map((m) => m.name);
  try {
    const report = await restoreBackup(config, positionals[0], { force: values.force!, sameDeployment: values['same-deployment']!, knownMigrations });
    console.log(`restored ${positionals[0]} (Plinth ${report.manifest.plinthVersion}, taken ${report.manifest.createdAt}) into ${report.target}`);
    console.log(
      values['same-deployment']
        ? `deployment id kept: ${report.deploymentId} (this copy takes the original's place; never run both)`
        : `new deployment id: ${report.deploymentId} (a copy: it shares no Redis channels with the original)`,
    );
  } catch (err) {
    if (!(err instanceof RestoreRefused)) throw err;
    console.error(`plinth restore: ${err.message}`);
    return 1;
  }
  // Migrations the backup's Plinth did not have yet, applied as at any boot.
  return withApp(async (app) => {
    console.log(app.migrationsApplied.length ? `migrations applied:\n  ${app.migrationsApplied.join('\n  ')}` : 'no migrations to apply');
    return 0;
  });
}

async function createPlugin(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { dir: { type: 'string' } } });
  if (positionals.length !== 1) {
    console.error('usage: plinth create-plugin NAME [--dir DIR]');
    return 2;
  }
  const { scaffoldPlugin } = await import('./create-plugin.js');
  const name = positionals[0];
  // INIT_CWD: the folder `npm run plinth -- …` was typed in (npm runs scripts from the package root).
  const dir = path.resolve(process.env.INIT_CWD ?? process.cwd(), values.dir ?? `plinth-plugin-${name}`);
  const files = scaffoldPlugin({ name, dir, plinthRoot: projectRoot });
  console.log(`wrote ${dir}:\n  ${files.join('\n  ')}\nnext: cd ${path.relative(process.cwd(), dir) || '.'} && npm test`);
  return 0;
}

/** Builds the admin pages of the enabled plugins that come from npm or a folder (start does it too, when they are stale). */
async function buildUi(): Promise<number> {
  const config = loadConfig({ root: projectRoot });
  const { buildPluginUi } = await import('../core/plugins/ui-build.js');
  const built = await buildPluginUi(await loadPlugins(config, codeRoot), config, { force: true });
  console.log(built.length ? `built: ${built.join(', ')}` : 'no plugin from npm or a folder has admin pages');
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command = 'start', ...args] = argv;
  switch (command) {
    case 'start':
      await start();
      return -1; // keep running
    case 'migrate':
      return withApp(async (app) => {
        console.log(app.migrationsApplied.length ? `applied:\n  ${app.migrationsApplied.join('\n  ')}` : 'nothing to migrate');
        return 0;
      });
    case 'jobs':
      if (args[0] === 'list') {
        return withApp(async (app) => {
          for (const j of await app.scheduler.lastRuns()) {
            const last = j.last ? `${j.last.status} at ${j.last.started_at} (${j.last.trigger})` : 'never run';
            console.log(`${j.job}\t${j.schedule}\t${last}`);
          }
          return 0;
        });
      }
      if (args[0] === 'run' && args[1]) {
        return withApp(async (app) => {
          const outcome = await app.scheduler.runNow(args[1]);
          console.log(`${args[1]}: ${outcome}`);
          return outcome === 'failed' ? 1 : 0;
        });
      }
      break;
    case 'backup':
      return backup(args);
    case 'restore':
      return restore(args);
    case 'create-plugin':
      return createPlugin(args);
    case 'build-ui':
      return buildUi();
    case 'help':
    case '--help':
      console.log(USAGE);
      return 0;
    default:
      return withApp(async (app) => {
        for (const { plugin } of app.plugins) {
          const cmd = plugin.commands?.[command];
          if (cmd) {
            await cmd.run(app.contexts.get(plugin.name)!, args);
            return 0;
          }
        }
        console.error(`unknown command "${command}"\n${USAGE}`);
        return 2;
      });
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    // Configuration and plugin errors are one line; anything else gets its stack.
    console.error(err instanceof ConfigError ? `plinth: ${err.message}` : err);
    process.exit(1);
  },
);
