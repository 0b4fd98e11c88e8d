// What a start loads: the libraries only a rare request needs are imported by that request, not by
// every boot (docs/performance.md, Boot). Checked on `plinth start` with every built-in plugin,
// through the loader recorder the OpenTelemetry test uses (test/fixtures/loaded-modules.ts).
import assert from 'node:assert/strict';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort, kill, loadedModules, MODULE_RECORDER, startServer, writeConfig, type PlinthProcess } from '../helpers/processes.js';

const BUILT_IN = ['auth', 'billing', 'licensing', 'mail', 'robots', 'ai', 'workflows', 'agents'];

/** Loaded at first use: a passkey ceremony, a backup, OpenTelemetry's exemplars or SDK. */
const FIRST_USE = ['/node_modules/@simplewebauthn/', '/node_modules/@peculiar/', '/node_modules/tar/', '/node_modules/@opentelemetry/'];

describe('a start loads what its requests need, not what a rare one does', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let server: PlinthProcess | null = null;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    if (server) await kill(server);
    server = null;
    await database.drop();
  });

  it('every built-in plugin started: no passkey library, tar or OpenTelemetry until they are used', async () => {
    const modules = path.join(database.dataDir, 'modules.txt');
    const port = await freePort();
    const config = writeConfig(database, { server: { port }, plugins: BUILT_IN, smtp: { port: await freePort() } });
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined, LOADED_MODULES_FILE: modules };
    server = await startServer(config, port, { env, nodeArgs: MODULE_RECORDER });
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
    server.child.kill('SIGTERM');
    assert.equal((await server.exited).code, 0, server.output());
    const all = loadedModules(modules);
    assert.ok(
      all.some((m) => m.includes('/node_modules/smtp-server/')),
      'the recorder saw the plugins’ modules',
    );
    assert.deepEqual(
      all.filter((m) => FIRST_USE.some((lib) => m.includes(lib))),
      [],
    );
  });
});
