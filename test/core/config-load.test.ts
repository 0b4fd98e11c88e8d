import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../core/app.js';
import { ConfigError, loadConfig } from '../../core/config/load.js';
import { projectRoot } from '../../core/paths.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';

/** A throwaway project root with an optional config/default.json. */
function tempRoot(defaults?: Record<string, unknown>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-config-'));
  if (defaults) {
    fs.mkdirSync(path.join(root, 'config'));
    fs.writeFileSync(path.join(root, 'config', 'default.json'), JSON.stringify(defaults));
  }
  return root;
}

/** Asserts that `fn` throws a one-line ConfigError equal to `message` (or matching it). */
function assertConfigError(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (err: Error) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err.name}: ${err.message}`);
    assert.ok(!err.message.includes('\n'), `not one line: ${JSON.stringify(err.message)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `plinth <args>` from source with exactly the given env (plus PATH/HOME). */
function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/plinth.ts', ...args],
      { cwd: projectRoot, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env }, timeout: 20_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe('config: loading and validation', () => {
  const roots: string[] = [];
  const root = (defaults?: Record<string, unknown>) => {
    const r = tempRoot(defaults);
    roots.push(r);
    return r;
  };
  after(() => {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  describe('invalid values stop startup with one line naming key, value and expectation', () => {
    it('PORT=abc', () => {
      assertConfigError(() => loadConfig({ root: root(), env: { PORT: 'abc' } }), 'invalid config: server.port = "abc": must be integer');
    });

    it('PORT out of range', () => {
      assertConfigError(() => loadConfig({ root: root(), env: { PORT: '70000' } }), 'invalid config: server.port = 70000: must be <= 65535');
    });

    it('SMTP_PORT=-1', () => {
      assertConfigError(() => loadConfig({ root: root(), env: { SMTP_PORT: '-1' } }), 'invalid config: smtp.port = -1: must be >= 0');
    });

    it('an unknown top-level key in a PLINTH_CONFIG file', () => {
      const r = root();
      fs.writeFileSync(path.join(r, 'extra.json'), JSON.stringify({ bogus: 1 }));
      assertConfigError(() => loadConfig({ root: r, env: { PLINTH_CONFIG: 'extra.json' } }), 'invalid config: bogus = 1: is not allowed');
    });

    it('an unknown nested key', () => {
      assertConfigError(() => loadConfig({ root: root({ server: { prot: 3000 } }), env: {} }), 'invalid config: server.prot = 3000: is not allowed');
    });

    it('a bad enum lists the allowed values', () => {
      assertConfigError(
        () => loadConfig({ root: root(), env: { PLINTH_RATE_LIMIT_STORE: 'disk' } }),
        'invalid config: rateLimit.store = "disk": must be one of "memory", "database", "redis"',
      );
      assertConfigError(
        () => loadConfig({ root: root({ log: { level: 'loud' } }), env: {} }),
        /^invalid config: log\.level = "loud": must be one of "fatal", /,
      );
    });

    it('a boolean that is not one', () => {
      assertConfigError(
        () => loadConfig({ root: root(), env: { PLINTH_TRUST_PROXY: 'sometimes' } }),
        'invalid config: server.trustProxy = "sometimes": must be boolean',
      );
    });

    it('a DATABASE_URL of an unsupported kind', () => {
      assertConfigError(
        () => loadConfig({ root: root(), env: { DATABASE_URL: 'mysql://x/y' } }),
        /^invalid config: database\.url = "mysql:\/\/x\/y": must match pattern /,
      );
    });

    it('several problems: the first is named and the rest counted, still on one line', () => {
      assertConfigError(
        () => loadConfig({ root: root(), env: { PORT: 'abc', SMTP_PORT: 'def' } }),
        /^invalid config: server\.port = "abc": must be integer \(and 1 more\)$/,
      );
    });

    it('a config file that is not JSON names the file', () => {
      const r = root();
      fs.writeFileSync(path.join(r, 'broken.json'), '{ "server": ');
      assertConfigError(() => loadConfig({ root: r, env: { PLINTH_CONFIG: 'broken.json' } }), /^config file .*broken\.json is not valid JSON: /);
    });

    it('a PLINTH_CONFIG file that does not exist names the file', () => {
      assertConfigError(() => loadConfig({ root: root(), env: { PLINTH_CONFIG: 'nope.json' } }), /^config file .*nope\.json cannot be read: /);
    });

    it('createApp rejects a plugin setting of the wrong value, naming settings.<plugin>.<key>', async () => {
      await assert.rejects(
        createApp({
          env: {},
          overrides: { plugins: ['example'], pluginDirs: ['test/fixtures/plugins'], settings: { example: { failHandlerTimes: -1 } }, log: { level: 'silent' } },
        }),
        (err: Error) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.message, 'invalid config: settings.example.failHandlerTimes = -1: must be >= 0');
          return true;
        },
      );
    });

    it('createApp rejects a plugin setting of the wrong type and an unknown plugin setting', async () => {
      const make = (example: Record<string, unknown>) =>
        createApp({ env: {}, overrides: { plugins: ['example'], pluginDirs: ['test/fixtures/plugins'], settings: { example }, log: { level: 'silent' } } });
      await assert.rejects(make({ notesPerMinute: 'lots' }), {
        name: 'ConfigError',
        message: 'invalid config: settings.example.notesPerMinute = "lots": must be integer',
      });
      await assert.rejects(make({ colour: 'red' }), { name: 'ConfigError', message: 'invalid config: settings.example.colour = "red": is not allowed' });
      await assert.rejects(make({ base: 'example' }), {
        name: 'ConfigError',
        message: 'invalid config: settings.example.base = "example": must match pattern "^/"',
      });
    });

    it('an empty plugin env var is ignored, so the invalid configured value is reported', async () => {
      await assert.rejects(
        createApp({
          env: { PLINTH_EXAMPLE_GREETING: '' },
          overrides: { plugins: ['example'], pluginDirs: ['test/fixtures/plugins'], settings: { example: { greeting: '' } }, log: { level: 'silent' } },
        }),
        { name: 'ConfigError', message: 'invalid config: settings.example.greeting = "": must NOT have fewer than 1 characters' },
      );
    });

    it('the CLI exits non-zero with a single line on stderr', async function () {
      this.timeout(30_000);
      const res = await runCli(['start'], { PORT: 'abc', PLINTH_DATA_DIR: root() });
      assert.notEqual(res.code, 0);
      assert.equal(res.code, 1);
      assert.equal(res.stderr, 'plinth: invalid config: server.port = "abc": must be integer\n');
      assert.equal(res.stdout, '');
    });

    it('the CLI reports a plugin problem on one line too', async function () {
      this.timeout(30_000);
      const res = await runCli(['start'], { PLINTH_PLUGINS: 'ghost', PLINTH_DATA_DIR: root() });
      assert.equal(res.code, 1);
      assert.equal(
        res.stderr,
        `plinth: plugin "ghost" is enabled in config but was not found in ${path.join(projectRoot, 'plugins')} ` +
          'nor installed as an npm package (npm install ghost)\n',
      );
    });
  });

  describe('defaults and overrides', () => {
    it('fills every default when there is no config at all', () => {
      const r = root();
      const config = loadConfig({ root: r, env: {} });
      assert.deepEqual(config.server, {
        host: '0.0.0.0',
        port: 3000,
        publicUrl: 'http://localhost:3000',
        trustProxy: false,
        bodyLimit: '1mb',
        shutdownTimeoutMs: 10000,
        checkReplies: false,
        checkErrorCodes: false,
        reduceHeapAfterIdleSeconds: 30,
      });
      assert.deepEqual(config.smtp, { host: '0.0.0.0', port: 2525 });
      assert.equal(config.dataDir, path.join(r, 'data'));
      assert.deepEqual(config.database, { url: null, poolMax: 10, preparedStatements: true });
      assert.deepEqual(config.redis, { url: null, namespace: null });
      assert.deepEqual(config.log, { level: 'info', format: 'auto' });
      assert.deepEqual(config.plugins, []);
      assert.deepEqual(config.pluginDirs, ['plugins']);
      assert.deepEqual(config.settings, {});
      assert.deepEqual(config.rateLimit, { store: 'memory', points: 600, durationSeconds: 60 });
      assert.equal(config.scheduler.enabled, true);
      assert.equal(config.mailer.smtpUrl, null);
      assert.equal(config.ui.enabled, true);
    });

    it('the checked-in config/default.json is valid on its own', () => {
      const config = loadConfig({ root: projectRoot, env: {} });
      assert.equal(config.server.port, 3000);
      assert.equal(config.smtp.port, 2525);
      assert.equal(config.dataDir, path.join(projectRoot, 'data'));
    });

    it('env vars override files, and PLINTH_CONFIG is merged on top of config/default.json', () => {
      const r = root({ server: { port: 3000, publicUrl: 'https://plinth.example.com/' }, smtp: { port: 2525, host: '127.0.0.1' }, plugins: ['a'] });
      fs.writeFileSync(path.join(r, 'site.json'), JSON.stringify({ server: { port: 4000, bodyLimit: '2mb' }, log: { level: 'warn' } }));
      const config = loadConfig({
        root: r,
        env: {
          PLINTH_CONFIG: 'site.json',
          PORT: '8080',
          SMTP_PORT: '2626',
          DATABASE_URL: 'postgres://plinth@db.internal:5432/plinth',
          PLINTH_DATA_DIR: 'var/plinth',
          PLINTH_PLUGINS: 'b, c',
          REDIS_URL: 'redis://cache:6379',
          PLINTH_TRUST_PROXY: 'true',
        },
      });
      assert.equal(config.server.port, 8080, 'PORT beats the file');
      assert.equal(config.server.bodyLimit, '2mb', 'PLINTH_CONFIG beats default.json');
      assert.equal(config.server.publicUrl, 'https://plinth.example.com', 'default.json kept where not overridden; trailing slash trimmed');
      assert.equal(config.server.trustProxy, true);
      assert.deepEqual(config.smtp, { host: '127.0.0.1', port: 2626 });
      assert.equal(config.database.url, 'postgres://plinth@db.internal:5432/plinth');
      assert.equal(config.dataDir, path.join(r, 'var', 'plinth'));
      assert.deepEqual(config.plugins, ['b', 'c']);
      assert.equal(config.redis.url, 'redis://cache:6379');
      assert.equal(config.log.level, 'warn');
    });

    it('an absolute PLINTH_CONFIG path and PLINTH_DATA_DIR are taken as they are', () => {
      const r = root();
      const file = path.join(r, 'abs.json');
      fs.writeFileSync(file, JSON.stringify({ smtp: { port: 25 } }));
      const config = loadConfig({ root: root(), env: { PLINTH_CONFIG: file, PLINTH_DATA_DIR: '/srv/plinth' } });
      assert.equal(config.smtp.port, 25);
      assert.equal(config.dataDir, '/srv/plinth');
    });

    it('without a configured publicUrl, it follows the port served (PORT, server.port)', () => {
      assert.equal(loadConfig({ root: root(), env: { PORT: '8123' } }).server.publicUrl, 'http://localhost:8123');
      assert.equal(loadConfig({ root: root({ server: { port: 4100 } }), env: {} }).server.publicUrl, 'http://localhost:4100');
      assert.equal(
        loadConfig({ root: projectRoot, env: { PORT: '8124' } }).server.publicUrl,
        'http://localhost:8124',
        'config/default.json names no publicUrl',
      );
      const given = loadConfig({ root: root(), env: { PORT: '8125', PLINTH_PUBLIC_URL: 'https://plinth.example.com/' } });
      assert.equal(given.server.publicUrl, 'https://plinth.example.com', 'a configured publicUrl is kept whatever the port');
    });

    it('PLINTH_LOG_FORMAT sets log.format, and a wrong value names the choices', () => {
      assert.equal(loadConfig({ root: root(), env: { PLINTH_LOG_FORMAT: 'pretty' } }).log.format, 'pretty');
      assert.equal(loadConfig({ root: root(), env: { PLINTH_LOG_FORMAT: 'json' } }).log.format, 'json');
      assertConfigError(
        () => loadConfig({ root: root(), env: { PLINTH_LOG_FORMAT: 'xml' } }),
        'invalid config: log.format = "xml": must be one of "auto", "pretty", "json"',
      );
    });

    it('empty env vars are ignored', () => {
      const config = loadConfig({ root: root(), env: { PORT: '', DATABASE_URL: '' } });
      assert.equal(config.server.port, 3000);
      assert.equal(config.database.url, null);
    });
  });

  describe('plugin settings on a running app', () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    it('fills the plugin defaults', async () => {
      t = await createTestApp();
      const res = await t.request('GET', '/example/hello');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { greeting: 'hello' });
      const settings = t.app.contexts.get('example')!.settings;
      assert.equal(settings.greeting, 'hello');
      assert.equal(settings.adminEmail, 'admin@example.test');
      assert.equal(settings.failHandlerTimes, 0);
      assert.equal(settings.notesPerMinute, 1000);
    });

    it('PLINTH_EXAMPLE_GREETING overrides the configured greeting', async () => {
      t = await createTestApp({ settings: { example: { greeting: 'hi' } }, env: { PLINTH_EXAMPLE_GREETING: 'bonjour' } });
      const res = await t.request('GET', '/example/hello');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { greeting: 'bonjour' });
    });

    it('a string plugin setting from config is coerced to its declared type', async () => {
      t = await createTestApp({ settings: { example: { notesPerMinute: '7' } } });
      assert.equal(t.app.contexts.get('example')!.settings.notesPerMinute, 7);
    });

    it('settings.<plugin>.base moves the face', async () => {
      t = await createTestApp({ settings: { example: { base: '/ex/' } } });
      assert.equal((await t.request('GET', '/ex/hello')).status, 200);
      const old = await t.request('GET', '/example/hello');
      assert.equal(old.status, 404);
      assert.equal(old.body.error.code, 'not_found', 'the old base is outside every face now');
    });

    it('no database is created when the config is invalid (createTestApp on a borrowed database)', async () => {
      const database = await createTestDatabase();
      try {
        await assert.rejects(createTestApp({ database, overrides: { server: { bodyLimit: 'huge' } } }), {
          name: 'ConfigError',
          message: 'invalid config: server.bodyLimit = "huge": must match pattern "^[0-9]+(b|kb|mb)$"',
        });
        assert.deepEqual(fs.readdirSync(database.dataDir), [], 'nothing was written to the data dir');
      } finally {
        await database.drop();
      }
    });
  });
});
