// Ceiling: the PostgreSQL twin of sqlite-durable-write. Bare node:http (no framework) doing, per
// request, one durable transaction through the raw pg driver (a pool of 10, as Plinth's default):
// BEGIN, insert a message row, bump its robot's counter row, insert an outbox event row, COMMIT
// (synchronous_commit as the server has it, on by default: the commit is flushed before the 200).
// Tables and indexes mirror robots_messages / robots_robots / core_events.
// POST / {robotId, spoken, receivedName, groupName, roomType, atMe, textType, timestamp}
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';

const url = process.env.BENCH_DB_URL;
if (!url) throw new Error('BENCH_DB_URL is required');
const robotIds = (process.env.BENCH_ROBOT_IDS ?? '').split(',').filter(Boolean);
if (!robotIds.length) throw new Error('BENCH_ROBOT_IDS is required (comma-separated)');
const pool = new pg.Pool({ connectionString: url, max: 10 });

await pool.query(`
CREATE TABLE robots (id SERIAL PRIMARY KEY, robot_id VARCHAR(64) NOT NULL UNIQUE, tenant_id VARCHAR(64) NOT NULL,
  total_messages INTEGER NOT NULL DEFAULT 0, last_active_at VARCHAR(24));
CREATE TABLE messages (id SERIAL PRIMARY KEY, message_id VARCHAR(64) NOT NULL UNIQUE,
  robot_pk INTEGER NOT NULL REFERENCES robots(id) ON DELETE CASCADE, tenant_id VARCHAR(64) NOT NULL, spoken TEXT NOT NULL,
  raw_spoken TEXT, received_name VARCHAR(200), group_name VARCHAR(200), group_remark VARCHAR(200), room_type INTEGER,
  at_me BOOLEAN NOT NULL DEFAULT false, text_type INTEGER, file_path VARCHAR(500), sent_at VARCHAR(24), created_at VARCHAR(24) NOT NULL);
CREATE INDEX messages_robot_pk_id ON messages (robot_pk, id);
CREATE TABLE events (id SERIAL PRIMARY KEY, name VARCHAR(120) NOT NULL, version INTEGER NOT NULL DEFAULT 1,
  tenant_id VARCHAR(64), payload TEXT NOT NULL, meta TEXT, status VARCHAR(16) NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  available_at VARCHAR(24) NOT NULL, locked_by VARCHAR(64), locked_until VARCHAR(24), last_error TEXT,
  created_at VARCHAR(24) NOT NULL, delivered_at VARCHAR(24));
CREATE INDEX events_pending ON events (available_at, id) WHERE status = 'pending';
CREATE INDEX events_delivered ON events (delivered_at) WHERE status = 'delivered';
CREATE INDEX events_dead ON events (id) WHERE status = 'dead';
`);
const tenantId = '00000000-0000-4000-8000-000000000001';
const pks = new Map();
const { rows } = await pool.query('INSERT INTO robots (robot_id, tenant_id) SELECT unnest($1::text[]), $2 RETURNING id, robot_id', [robotIds, tenantId]);
for (const r of rows) pks.set(r.robot_id, r.id);

const INSERT_MESSAGE =
  'INSERT INTO messages (message_id, robot_pk, tenant_id, spoken, received_name, group_name, room_type, at_me, text_type, sent_at, created_at) VALUES ' +
  '($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)';
const BUMP_ROBOT = 'UPDATE robots SET total_messages = total_messages + 1, last_active_at = $1 WHERE id = $2';
const INSERT_EVENT =
  "INSERT INTO events (name, version, tenant_id, payload, status, attempts, available_at, created_at) VALUES ('robots.message.received', 1, $1, $2, " +
  "'pending', 0, $3, $4)";

/** One transaction on one pooled connection; resolves once COMMIT is done. */
async function store(pk, m) {
  const messageId = `msg_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const now = new Date().toISOString();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query({
      name: 'insert-message',
      text: INSERT_MESSAGE,
      values: [
        messageId,
        pk,
        tenantId,
        m.spoken,
        m.receivedName ?? null,
        m.groupName ?? null,
        m.roomType ?? null,
        Boolean(m.atMe),
        m.textType ?? null,
        m.timestamp ?? null,
        now,
      ],
    });
    await client.query({ name: 'bump-robot', text: BUMP_ROBOT, values: [now, pk] });
    const payload = JSON.stringify({
      robot_id: m.robotId,
      message_id: messageId,
      spoken: m.spoken,
      received_name: m.receivedName ?? null,
      group_name: m.groupName ?? null,
      at_me: Boolean(m.atMe),
      room_type: m.roomType ?? null,
    });
    await client.query({ name: 'insert-event', text: INSERT_EVENT, values: [tenantId, payload, now, now] });
    await client.query('COMMIT');
    return messageId;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

const reply = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let m;
    try {
      m = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(res, 400, { code: 400, message: 'bad JSON', data: null });
    }
    const pk = pks.get(m.robotId);
    if (!pk || typeof m.spoken !== 'string') return reply(res, 400, { code: 400, message: 'unknown robotId or no spoken', data: null });
    store(pk, m).then(
      (messageId) => reply(res, 200, { code: 0, message: 'message received', data: { messageId } }),
      (err) => reply(res, 500, { code: 500, message: err.message, data: null }),
    );
  });
});
server.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
process.on('SIGTERM', () => {
  server.close(() => pool.end().then(() => process.exit(0)));
  server.closeAllConnections();
});
