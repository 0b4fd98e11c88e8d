import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort, kill, openDatabase, runPlinth, startServer, waitFor, writeConfig, writePlugins } from '../helpers/processes.js';

/** Resolves 'refused' when nothing accepts connections on the port any more, 'open' otherwise. */
function probe(port: number): Promise<'open' | 'refused'> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : 'open'));
  });
}

/** Three plugins, c → b → a by dependsOn, that append `<name>:start|stop` to settings.file; settings.failStart makes start throw. */
function orderPlugins(): string {
  const plugin = (name: string, dependsOn: string[]) => `import fs from 'node:fs';
const record = (c, what) => fs.appendFileSync(c.settings.file, c.name + ':' + what + '\\n');
export default {
  name: '${name}',
  dependsOn: ${JSON.stringify(dependsOn)},
  async start(c) {
    record(c, 'start');
    if (c.settings.failStart) throw new Error('${name} refused to start');
  },
  async stop(c) {
    record(c, 'stop');
  },
};
`;
  return writePlugins(fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-plugins-')), {
    orda: { 'index.js': plugin('orda', []) },
    ordb: { 'index.js': plugin('ordb', ['orda']) },
    ordc: { 'index.js': plugin('ordc', ['ordb']) },
  });
}

describe('runtime: graceful shutdown', () => {
  describe('a real server process', function () {
    this.timeout(60_000);
    let database: TestDatabase;
    beforeEach(async () => {
      database = await createTestDatabase();
    });
    afterEach(async () => database.drop());

    it('SIGTERM lets an in-flight request finish, refuses new connections, stops the plugins and exits 0', async () => {
      const port = await freePort();
      const server = await startServer(writeConfig(database, { server: { port } }), port);
      try {
        const slow = fetch(`http://127.0.0.1:${port}/example/slow?ms=2000`).then(async (res) => ({ status: res.status, body: await res.json() }));
        await waitFor('the slow request to reach its handler', () => server.output().includes('"msg":"slow request started"'));

        server.child.kill('SIGTERM');
        await waitFor('the listener to close', async () => (await probe(port)) === 'refused');
        assert.equal(server.gone, false, 'new connections are refused while the in-flight request is still being served');

        const reply = await slow;
        assert.equal(reply.status, 200);
        assert.deepEqual(reply.body, { slept: 2000 });
        const { code, signal } = await server.exited;
        assert.equal(signal, null);
        assert.equal(code, 0, server.output());
        assert.equal(await probe(port), 'refused');
      } finally {
        await kill(server);
      }
      const db = openDatabase(database);
      try {
        assert.deepEqual(await db('example_lifecycle').orderBy('id').pluck('what'), ['start', 'stop']);
      } finally {
        await db.destroy();
      }
    });

    it('CLI commands that never start the plugins do not run their stop hooks', async () => {
      const config = writeConfig(database, { log: { level: 'warn' } });
      const cli = await runPlinth(['greet'], config);
      assert.equal(cli.code, 0, cli.output);
      assert.match(cli.output, /^hello$/m);
      const db = openDatabase(database);
      try {
        assert.deepEqual(await db('example_lifecycle').pluck('what'), []);
      } finally {
        await db.destroy();
      }
    });
  });

  describe('in process', () => {
    let t: TestApp | undefined;
    let dir: string;
    let file: string;
    beforeEach(() => {
      dir = orderPlugins();
      file = path.join(dir, 'order.log');
      fs.writeFileSync(file, '');
    });
    afterEach(async () => {
      await t?.close();
      t = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const lines = () => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const withOrderPlugins = (settings: Record<string, Record<string, unknown>> = {}, start = true) =>
      createTestApp({
        plugins: ['ordc', 'orda', 'ordb'],
        settings: { orda: { file, ...settings.orda }, ordb: { file, ...settings.ordb }, ordc: { file, ...settings.ordc } },
        overrides: { pluginDirs: ['plugins', dir] },
        start,
      });

    it('plugins start in dependency order and stop in reverse', async () => {
      t = await withOrderPlugins();
      assert.deepEqual(
        t.app.plugins.map((p) => p.plugin.name),
        ['orda', 'ordb', 'ordc'],
      );
      await t.app.stop();
      assert.deepEqual(lines(), ['orda:start', 'ordb:start', 'ordc:start', 'ordc:stop', 'ordb:stop', 'orda:stop']);
    });

    it('stop() twice is harmless, and a second concurrent stop() waits for the first', async () => {
      t = await createTestApp();
      const url = t.url;
      const first = t.app.stop();
      const second = t.app.stop();
      await second;
      assert.equal(t.app.state, 'stopped', 'the second caller is told "stopped" only once it is');
      await first;
      await t.app.stop();
      assert.equal(t.app.state, 'stopped');
      await assert.rejects(fetch(`${url}/health`));
      const db = openDatabase(t.database);
      try {
        assert.deepEqual(await db('example_lifecycle').orderBy('id').pluck('what'), ['start', 'stop'], 'stop hooks ran once');
      } finally {
        await db.destroy();
      }
    });

    it('a plugin failing to start: start() rejects, the plugins started before it are stopped in reverse, a later stop() does nothing more', async () => {
      t = await withOrderPlugins({ ordb: { failStart: true } }, false);
      await assert.rejects(t.app.start(), /ordb refused to start/);
      assert.deepEqual(lines(), ['orda:start', 'ordb:start', 'orda:stop']);
      assert.equal(t.app.server, null, 'it never listened');
      await t.app.stop();
      assert.deepEqual(lines(), ['orda:start', 'ordb:start', 'orda:stop'], 'no plugin is stopped twice, none that never started');
    });

    it('an app that was never started runs no stop hooks when stopped', async () => {
      t = await withOrderPlugins({}, false);
      await t.app.stop();
      assert.deepEqual(lines(), []);
    });
  });
});
