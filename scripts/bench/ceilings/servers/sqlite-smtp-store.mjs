// Ceiling for mail ingest on SQLite, the twin of pg-smtp-store: bare smtp-server + postal-mime (as
// smtp-parse, smtp-ceiling.mjs) that also stores each message durably before its 250: one INSERT of
// a message row (sender, recipients, subject, text, html, size, and the raw bytes) through the raw
// better-sqlite3 driver (Plinth's), durable as Plinth's SQLite client makes writes, at best: group
// commits, the log fdatasynced on the thread pool (sqlite-durable-commits.mjs).
import path from 'node:path';
import Database from 'better-sqlite3';
import { durableCommits } from './sqlite-durable-commits.mjs';
import { startSmtpCeiling } from './smtp-ceiling.mjs';

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

startSmtpCeiling(
  (mail, raw, session) => {
    const received = new Date().toISOString();
    const recipients = JSON.stringify(session.envelope.rcptTo.map((r) => r.address));
    return commit(() =>
      insert.run(mail.messageId, mail.from?.address ?? '', recipients, mail.subject ?? '', mail.text ?? null, mail.html ?? null, raw.length, raw, received),
    );
  },
  async () => {
    close();
    db.close();
  },
);
