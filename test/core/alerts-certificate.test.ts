// The SMTP receiver's STARTTLS certificate near its end (issue 37, Alerts): a self-signed one made
// by openssl, valid 3 days, is raised once (mailed, emitted; test/helpers/alerts.ts); renewed in its
// file it is still the one served until the receiver starts again, and that start clears the alert.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alertsApp, expectCleared, expectRaisedOnce, rowsOf } from '../helpers/alerts.js';
import type { TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

/** A self-signed certificate and its key, valid `days` from now, written to `dir`. */
function certificate(dir: string, days: number): { key: string; cert: string } {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', String(days)];
  execFileSync('openssl', [...args, '-subj', '/CN=mx.alerts.test', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { key, cert };
}

describe('alerts: the STARTTLS certificate of the SMTP receiver', function () {
  this.timeout(60_000);
  let dir: string;
  let database: TestDatabase;
  let t: TestApp | undefined;
  const start = (files: { key: string; cert: string }) =>
    alertsApp({ database, plugins: ['mail'], settings: { mail: { smtp: { tlsKeyFile: files.key, tlsCertFile: files.cert } } } });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-alerts-tls-'));
    database = await createTestDatabase();
  });
  after(async () => {
    await t?.close();
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ends in 3 days: raised (warning); a renewed file is served from the next start, which clears it', async () => {
    t = await start(certificate(dir, 3));
    const alert = await expectRaisedOnce(t, 'smtp.certificate');
    assert.equal(alert.severity, 'warning');
    assert.match(alert.summary, /^The SMTP receiver's STARTTLS certificate ends in 3 days \(/);
    assert.equal(alert.details.subject, 'CN=mx.alerts.test');
    assert.equal(alert.details.renewed_on_disk, false);

    // Renewed in place (what certbot does): still served until the receiver starts again.
    const renewed = certificate(dir, 90);
    await t.app.container.resolve('alerts').evaluate();
    const [open] = await rowsOf(t, 'smtp.certificate');
    assert.equal(open.cleared_at, null, 'the served certificate still ends in 3 days');
    assert.match(open.summary, /a renewed one is in its file: restart to serve it$/);

    await t.close();
    t = await start(renewed);
    await expectCleared(t, 'smtp.certificate');
  });
});
