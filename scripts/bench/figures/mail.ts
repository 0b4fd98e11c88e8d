// mail-ingest: messages/s of ~2 KB over BENCH_SMTP_CONNECTIONS (10) SMTP connections into Plinth's receiver — parsed,
// verification code extracted, and durably stored (raw + row + event, the WAL fsynced) before
// each 250 — against the bare smtp-server + postal-mime ceiling, same load: on SQLite it stores
// nothing; on PostgreSQL (BENCH_DATABASE_URL) it also inserts each message through raw pg before
// its 250 (pg-smtp-store), since there the store is a round trip to another process and no parser
// ceiling says what Plinth adds to it. And mail-vs-maildev: the same load against MailDev, the peer
// a Node developer would pick instead.
import fs from 'node:fs';
import path from 'node:path';
import { maildev } from '../ceilings/maildev.js';
import { pgSmtpStore } from '../ceilings/pg-smtp-store.js';
import { measureSmtp, smtpParse } from '../ceilings/smtp-parse.js';
import { alternate } from '../lib/autocannon.js';
import type { FigureModule } from '../lib/context.js';
import { benchDialect } from '../lib/database.js';
import { startPlinth } from '../lib/plinth.js';
import { makeTempDir, removeTempDir } from '../lib/process.js';
import { againstCeiling } from '../lib/results.js';

/** ~2 KB messages to one domain; connections: BENCH_SMTP_CONNECTIONS (10), which the ceilings' printed lines name too. */
const MESSAGES = { bytes: 2048, domain: 'bench.test' };
const postgres = benchDialect === 'postgres';
const ingestCeiling = postgres ? pgSmtpStore : smtpParse;

export const mail: FigureModule = {
  name: 'mail',
  async run(ctx) {
    const s = ctx.settings;
    const load = { ...MESSAGES, connections: s.smtpConnections };
    const dir = makeTempDir('mail-config');
    const configFile = path.join(dir, 'bench.json');
    fs.writeFileSync(configFile, JSON.stringify({ settings: { mail: { domains: [{ name: load.domain, createOnFirstMail: true }] } } }));
    const ceiling = await ingestCeiling.start();
    const plinth = await startPlinth({ env: { PLINTH_PLUGINS: 'auth,mail', PLINTH_CONFIG: configFile } });
    try {
      const receiver = { ...plinth, port: plinth.smtpPort };
      const warm = Math.min(1000, s.smtpMessages);
      await measureSmtp(ceiling, s, warm, load);
      await measureSmtp(receiver, s, warm, load);
      const r = await alternate(
        s,
        () => measureSmtp(ceiling, s, s.smtpMessages, load),
        () => measureSmtp(receiver, s, s.smtpMessages, load),
        ctx.log,
        [ingestCeiling.name, 'plinth SMTP ingest'],
      );
      ctx.recordCeiling(ingestCeiling, r.ceiling);
      const peer = await maildev.start();
      let vsPeer;
      try {
        await measureSmtp(peer, s, warm, load);
        const p = await alternate(
          s,
          () => measureSmtp(peer, s, s.smtpMessages, load),
          () => measureSmtp(receiver, s, s.smtpMessages, load),
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
        againstCeiling('mail-ingest', 'msg/s', r.subject, ingestCeiling.name, r.ceiling, {
          target: { on: 'ratio', op: '>=', limit: 0.6 },
          note:
            `~2 KB messages, ${s.smtpConnections} connections; stored durably before each 250 (group commit); both sides under the same load` +
            (postgres ? '; the ceiling stores each message with one INSERT through raw pg' : '; the ceiling stores nothing'),
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
