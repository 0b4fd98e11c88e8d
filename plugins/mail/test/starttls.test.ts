// STARTTLS when a certificate is configured: advertised, and mail sent over the upgraded
// connection is stored; without a certificate it is not offered.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';

describe('mail: STARTTLS', () => {
  let t: TestApp;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=mx.tls.test',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    t = await createTestApp({
      plugins: ['auth', 'mail'],
      settings: {
        auth: { admin: { email: 'root@tls.test', password: 'Sup3r-secret-pass' } },
        mail: {
          domains: [{ name: 'tls.test', createOnFirstMail: true }],
          smtp: { tlsKeyFile: path.join(dir, 'key.pem'), tlsCertFile: path.join(dir, 'cert.pem') },
        },
      },
    });
  });
  after(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('upgrades with STARTTLS and stores what it accepted', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: t.app.container.resolve('smtpPort'),
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
    });
    const info = await transport.sendMail({ from: 'a@sender.test', to: 'inbox@tls.test', subject: 'over TLS', text: 'secret' });
    transport.close();
    assert.match(info.response, /^250 /);
    const row = await t.app.db('mail_emails').where('subject', 'over TLS').first();
    assert.ok(row, 'stored');
  });

  it('a misconfigured pair (key without certificate) stops the boot with a clear error', async () => {
    await assert.rejects(
      createTestApp({ plugins: ['auth', 'mail'], settings: { mail: { smtp: { tlsKeyFile: path.join(dir, 'key.pem') } } } }),
      /tlsKeyFile and tlsCertFile go together/,
    );
  });
});
