#!/usr/bin/env node
// The Plinth CLI: plinth start | migrate | jobs list | jobs run NAME | <plugin command> …
import { createApp, type Plinth } from '../core/app.js';
import { ConfigError } from '../core/config/load.js';

const USAGE = `usage: plinth <command>
  start            migrate, start the enabled plugins and serve (default)
  migrate          apply pending migrations and exit
  jobs list        list scheduled jobs with their last run
  jobs run NAME    run one job now, recorded in the job history
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
  // Plain text for the person at the terminal (admin URL, a generated password), not a log record.
  process.stdout.write(app.banner());
  app.logger.info({ bootMs: Math.round(performance.now() - bootStarted), plugins: app.plugins.map((p) => p.plugin.name) }, 'plinth started');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    app.stop().then(
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
