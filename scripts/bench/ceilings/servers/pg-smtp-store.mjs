// Ceiling for mail ingest on PostgreSQL: bare smtp-server + postal-mime (as smtp-parse,
// smtp-ceiling.mjs) that also stores each message durably before its 250: one INSERT of a message row
// (sender, recipients, subject, text, html, size, and the raw bytes) through the raw pg driver, a
// pool of 10 (Plinth's default), autocommit (flushed before the reply), large values compressed with
// lz4 where the server has it, as Plinth's connections do.
import pg from 'pg';
import { startSmtpCeiling } from './smtp-ceiling.mjs';

const url = process.env.BENCH_DB_URL;
if (!url) throw new Error('BENCH_DB_URL is required');
const pool = new pg.Pool({ connectionString: url, max: 10 });
// Queued on the new connection ahead of the query that made it.
pool.on('connect', (client) =>
  client.query(
    "select set_config('default_toast_compression', 'lz4', false) from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)",
  ),
);
await pool.query(`CREATE TABLE emails (id SERIAL PRIMARY KEY, message_id VARCHAR(998), sender VARCHAR(320) NOT NULL, recipients TEXT NOT NULL,
  subject VARCHAR(998) NOT NULL, text_content TEXT, html_content TEXT, size INTEGER NOT NULL, raw BYTEA NOT NULL, received_at VARCHAR(24) NOT NULL)`);
const INSERT =
  'INSERT INTO emails (message_id, sender, recipients, subject, text_content, html_content, size, raw, received_at) ' +
  'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id';

startSmtpCeiling(
  (mail, raw, session) =>
    pool.query({
      name: 'insert',
      text: INSERT,
      values: [
        mail.messageId,
        mail.from?.address ?? '',
        JSON.stringify(session.envelope.rcptTo.map((r) => r.address)),
        mail.subject ?? '',
        mail.text ?? null,
        mail.html ?? null,
        raw.length,
        raw,
        new Date().toISOString(),
      ],
    }),
  () => pool.end(),
);
