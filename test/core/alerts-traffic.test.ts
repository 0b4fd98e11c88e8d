// The alerts that come from traffic (issue 37, Alerts): HTTP 5xx and SMTP refusals past their rates
// over the window, counted by the metrics registry from real requests and real SMTP sessions
// (nodemailer). Each is raised once, mailed, emitted, then cleared (test/helpers/alerts.ts). The
// STARTTLS certificate's alert is in alerts-certificate.test.ts.
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { alertsApp, expectCleared, expectRaisedOnce, rowsOf } from '../helpers/alerts.js';
import type { TestApp } from '../helpers/app.js';

describe('alerts: HTTP 5xx and SMTP refusals over the window', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await alertsApp({
      plugins: ['example', 'mail'],
      settings: { mail: { domains: [{ name: 'alerts.test', createOnFirstMail: true }], alerts: { refusalRate: 0.5, minRefusals: 3 } } },
      overrides: { alerts: { thresholds: { http5xxRate: 0.5, http5xxMin: 3, rateWindowMinutes: 5 } } },
    });
  });
  after(async () => t?.close());

  const get = async (path: string, times: number, status: number) => {
    for (let i = 0; i < times; i++) assert.equal((await t.request('GET', path)).status, status);
  };

  it('http.5xx: a route that throws answers 500s past the rate and the minimum count; cleared when the rate falls', async () => {
    await get('/example/boom', 2, 500);
    await t.app.container.resolve('alerts').evaluate();
    assert.deepEqual(await rowsOf(t, 'http.5xx'), [], 'two errors are under http5xxMin (3)');
    await get('/example/boom', 2, 500);
    const alert = await expectRaisedOnce(t, 'http.5xx');
    assert.equal(alert.severity, 'critical');
    assert.equal(alert.details.errors, 4);
    assert.match(alert.summary, /% of HTTP requests failed with a 5xx in the last 5 minutes \(4 of \d+\)$/);

    await get('/example/hello', 20, 200);
    await expectCleared(t, 'http.5xx');
  });

  it('smtp.refusals: recipients refused at RCPT (an unknown domain) past the rate; cleared when mail is accepted again', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: t.app.container.resolve('smtpPort'), secure: false, ignoreTLS: true });
    const send = (to: string) => transport.sendMail({ from: 'sender@elsewhere.test', to, subject: 'hi', text: 'hello' });
    try {
      for (let i = 0; i < 3; i++) await assert.rejects(send(`nobody${i}@unknown.test`), /550/);
      const alert = await expectRaisedOnce(t, 'smtp.refusals');
      assert.equal(alert.severity, 'warning');
      assert.deepEqual([alert.details.refused, alert.details.answered], [3, 3]);

      for (let i = 0; i < 4; i++) await send(`inbox${i}@alerts.test`);
      await expectCleared(t, 'smtp.refusals');
    } finally {
      transport.close();
    }
  });

  it('smtp.certificate: nothing without STARTTLS', async () => {
    await t.app.container.resolve('alerts').evaluate();
    assert.deepEqual(await rowsOf(t, 'smtp.certificate'), []);
  });
});
