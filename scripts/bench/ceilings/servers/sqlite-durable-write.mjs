// Ceiling: bare node:http (no framework) doing, per request, one durable SQLite transaction with
// the raw better-sqlite3 driver (Plinth's): insert a message row, bump its robot's counter row,
// insert an outbox event row; COMMIT (WAL, synchronous=FULL: the commit is on disk before the
// 200). The tables, indexes and pragmas mirror Plinth's robots_messages / robots_robots /
// core_events. Each request's transaction runs synchronously, prepared statements, no round trips.
// POST / {robotId, spoken, receivedName, groupName, roomType, atMe, textType, timestamp}
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';

const dir = process.env.BENCH_DB_DIR;
if (!dir) throw new Error('BENCH_DB_DIR is required');
const robotIds = (process.env.BENCH_ROBOT_IDS ?? '').split(',').filter(Boolean);
if (!robotIds.length) throw new Error('BENCH_ROBOT_IDS is required (comma-separated)');
const db = new Database(path.join(dir, 'ceiling.sqlite'));

db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=0; PRAGMA foreign_keys=ON;');
db.exec(`
CREATE TABLE robots (id INTEGER PRIMARY KEY AUTOINCREMENT, robot_id VARCHAR(64) NOT NULL UNIQUE, tenant_id VARCHAR(64) NOT NULL,
  total_messages INTEGER NOT NULL DEFAULT 0, last_active_at VARCHAR(24));
CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, message_id VARCHAR(64) NOT NULL UNIQUE,
  robot_pk INTEGER NOT NULL REFERENCES robots(id) ON DELETE CASCADE, tenant_id VARCHAR(64) NOT NULL, spoken TEXT NOT NULL,
  raw_spoken TEXT, received_name VARCHAR(200), group_name VARCHAR(200), group_remark VARCHAR(200), room_type INTEGER,
  at_me BOOLEAN NOT NULL DEFAULT 0, text_type INTEGER, file_path VARCHAR(500), sent_at VARCHAR(24), created_at VARCHAR(24) NOT NULL);
CREATE INDEX messages_robot_pk_id ON messages (robot_pk, id);
CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(120) NOT NULL, version INTEGER NOT NULL DEFAULT 1,
  tenant_id VARCHAR(64), payload TEXT NOT NULL, meta TEXT, status VARCHAR(16) NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  available_at VARCHAR(24) NOT NULL, locked_by VARCHAR(64), locked_until VARCHAR(24), last_error TEXT,
  created_at VARCHAR(24) NOT NULL, delivered_at VARCHAR(24));
CREATE INDEX events_pending ON events (available_at, id) WHERE status = 'pending';
CREATE INDEX events_delivered ON events (delivered_at) WHERE status = 'delivered';
CREATE INDEX events_dead ON events (id) WHERE status = 'dead';
`);
const tenantId = '00000000-0000-4000-8000-000000000001';
const pks = new Map();
const insertRobot = db.prepare('INSERT INTO robots (id, robot_id, tenant_id) VALUES (?, ?, ?)');
db.transaction(() => {
  for (const [i, robotId] of robotIds.entries()) {
    insertRobot.run(i + 1, robotId, tenantId);
    pks.set(robotId, i + 1);
  }
})();

const insertMessage = db.prepare(
  'INSERT INTO messages (message_id, robot_pk, tenant_id, spoken, received_name, group_name, room_type, at_me, text_type, sent_at, created_at) VALUES ' +
    '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
);
const bumpRobot = db.prepare('UPDATE robots SET total_messages = total_messages + 1, last_active_at = ? WHERE id = ?');
const insertEvent = db.prepare(
  "INSERT INTO events (name, version, tenant_id, payload, status, attempts, available_at, created_at) VALUES ('robots.message.received', 1, ?, ?, " +
    "'pending', 0, ?, ?)",
);

/** One transaction, committed (on disk) when it returns; returns the message id. */
const store = db.transaction((pk, m) => {
  const messageId = `msg_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const now = new Date().toISOString();
  insertMessage.run(
    messageId,
    pk,
    tenantId,
    m.spoken,
    m.receivedName ?? null,
    m.groupName ?? null,
    m.roomType ?? null,
    m.atMe ? 1 : 0,
    m.textType ?? null,
    m.timestamp ?? null,
    now,
  );
  bumpRobot.run(now, pk);
  insertEvent.run(
    tenantId,
    JSON.stringify({
      robot_id: m.robotId,
      message_id: messageId,
      spoken: m.spoken,
      received_name: m.receivedName ?? null,
      group_name: m.groupName ?? null,
      at_me: Boolean(m.atMe),
      room_type: m.roomType ?? null,
    }),
    now,
    now,
  );
  return messageId;
});

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
    let messageId;
    try {
      messageId = store(pk, m);
    } catch (err) {
      return reply(res, 500, { code: 500, message: err.message, data: null });
    }
    reply(res, 200, { code: 0, message: 'message received', data: { messageId } });
  });
});
server.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
process.on('SIGTERM', () => {
  server.close(() => {
    db.close();
    process.exit(0);
  });
  server.closeAllConnections();
});
