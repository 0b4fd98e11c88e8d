// Ceiling for mail ingest on SQLite, the twin of pg-smtp-store: bare smtp-server + postal-mime (as
// smtp-parse) that also stores each message durably before its 250: one INSERT of a message row
// (sender, recipients, subject, text, html, size, and the raw bytes) through the raw better-sqlite3
// driver (Plinth's), durable before the 250 as Plinth's SQLite client makes it, at best: group
// commits, the log fdatasynced on the thread pool (sqlite-durable-commits.mjs). No TLS, no auth:
// loopback only.
import path from 'node:path';
import Database from 'better-sqlite3';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { durableCommits } from './sqlite-durable-commits.mjs';

const dir = process.env.BENCH_DB_DIR;
if (!dir) throw new Error('BENCH_DB_DIR is required');
const db = new Database(path.join(dir, 'ceiling.sqlite'));
db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=0;');
db.exec(`CREATE TABLE emails (id INTEGER PRIMARY KEY AUTOINCREMENT, message_id VARCHAR(998), sender VARCHAR(320) NOT NULL, recipients TEXT NOT NULL,
  subject VARCHAR(998) NOT NULL, text_content TEXT, html_content TEXT, size INTEGER NOT NULL, raw BLOB NOT NULL, received_at VARCHAR(24) NOT NULL)`);
const { commit, close } = durableCommits(db, path.join(dir, 'ceiling.sqlite-wal'));
const insert = db.prepare(
  'INSERT INTO emails (message_id, sender, recipients, subject, text_content, html_content, size, raw, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
);

let stored = 0;
const server = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  size: 1024 * 1024,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('error', callback);
    stream.on('end', async () => {
      try {
        const raw = Buffer.concat(chunks);
        const mail = await PostalMime.parse(raw);
        if (!mail.messageId) throw new Error('no Message-ID');
        const received = new Date().toISOString();
        const recipients = JSON.stringify(session.envelope.rcptTo.map((r) => r.address));
        await commit(() =>
          insert.run(mail.messageId, mail.from?.address ?? '', recipients, mail.subject ?? '', mail.text ?? null, mail.html ?? null, raw.length, raw, received),
        );
        stored++;
        callback();
      } catch (err) {
        callback(err);
      }
    });
  },
});
server.on('error', (err) => console.error(err));
server.listen(0, '127.0.0.1', () => console.log(`READY ${server.server.address().port}`));
process.on('SIGTERM', () => {
  console.log(`stored ${stored}`);
  server.close(() => {
    close();
    db.close();
    process.exit(0);
  });
});
