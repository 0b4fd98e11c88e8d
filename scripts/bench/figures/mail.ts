// mail-ingest: messages/s of ~2 KB over BENCH_SMTP_CONNECTIONS (10) SMTP connections into Plinth's
// receiver — parsed, verification code extracted, and durably stored (raw + row + event, committed
// and on disk) before each 250 — against bare smtp-server + postal-mime storing each message with one
// durable INSERT through the raw driver before its 250 (sqlite-smtp-store, pg-smtp-store), the same
// load alternating. And mail-vs-maildev: the same load against MailDev, the peer a Node developer
// would pick instead. The parse-only ceiling (smtp-parse) is printed on its own by the ceilings module.
import fs from 'node:fs';
import path from 'node:path';
import { smtpStore } from '../ceilings/index.js';
import { maildev } from '../ceilings/maildev.js';
import { measureSmtp, SMTP_DOMAIN, warmupSmtp } from '../ceilings/smtp-parse.js';
import { alternate } from '../lib/autocannon.js';
import type { FigureModule } from '../lib/context.js';
import { startPlinth } from '../lib/plinth.js';
import { makeTempDir, removeTempDir } from '../lib/process.js';
import { againstCeiling } from '../lib/results.js';

export const mail: FigureModule = {
  name: 'mail',
  async run(ctx) {
    const s = ctx.settings;
    const dir = makeTempDir('mail-config');
    const configFile = path.join(dir, 'bench.json');
    fs.writeFileSync(configFile, JSON.stringify({ settings: { mail: { domains: [{ name: SMTP_DOMAIN, createOnFirstMail: true }] } } }));
    const ceiling = await smtpStore.start();
    const plinth = await startPlinth({ env: { PLINTH_PLUGINS: 'auth,mail', PLINTH_CONFIG: configFile } });
    try {
      const receiver = { ...plinth, port: plinth.smtpPort };
      await warmupSmtp(ceiling, s);
      await warmupSmtp(receiver, s);
      const r = await alternate(
        s,
        () => measureSmtp(ceiling, s, s.smtpMessages),
        () => measureSmtp(receiver, s, s.smtpMessages),
        ctx.log,
        [smtpStore.name, 'plinth SMTP ingest'],
      );
      ctx.recordCeiling(smtpStore, r.ceiling);
      const peer = await maildev.start();
      let vsPeer;
      try {
        await warmupSmtp(peer, s);
        const p = await alternate(
          s,
          () => measureSmtp(peer, s, s.smtpMessages),
          () => measureSmtp(receiver, s, s.smtpMessages),
          ctx.log,
          [maildev.name, 'plinth SMTP ingest'],
        );
        ctx.recordCeiling(maildev, p.ceiling);
        vsPeer = againstCeiling('mail-vs-maildev', 'msg/s', p.subject, maildev.name, p.ceiling, {
          target: { on: 'ratio', op: '>=', limit: 1 },
          note: `the same load; Plinth durable (fsync) before each 250, MailDev writes files without fsync`,
        });
      } finally {
        await peer.stop();
      }
      return [
        againstCeiling('mail-ingest', 'msg/s', r.subject, smtpStore.name, r.ceiling, {
          target: { on: 'ratio', op: '>=', limit: 0.6 },
          note:
            `~2 KB messages, ${s.smtpConnections} connections; stored durably before each 250 (group commit); both sides under the same load; ` +
            'the ceiling stores each message with one durable INSERT through the raw driver',
        }),
        vsPeer,
      ];
    } finally {
      await plinth.stop();
      await ceiling.stop();
      removeTempDir(dir);
    }
  },
};
