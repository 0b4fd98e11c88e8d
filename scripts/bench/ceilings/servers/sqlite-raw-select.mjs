// Ceiling: bare Koa route doing one indexed SELECT (by primary key, random id; a POST's JSON body read and parsed first) through the raw
// better-sqlite3 driver (Plinth's) on a WAL database of BENCH_ROWS rows, with the same pragmas
// Plinth sets and the statement prepared once, as Plinth keeps it.
import path from 'node:path';
import Database from 'better-sqlite3';
import Koa from 'koa';
import { jsonBody } from './json-body.mjs';

const dir = process.env.BENCH_DB_DIR;
if (!dir) throw new Error('BENCH_DB_DIR is required');
const rows = Number(process.env.BENCH_ROWS ?? 10000);
const db = new Database(path.join(dir, 'ceiling.sqlite'));

db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=0; PRAGMA foreign_keys=ON;');
db.exec(`CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL
)`);
const insert = db.prepare('INSERT INTO users (id, email, name, role, created_at) VALUES (?, ?, ?, ?, ?)');
const now = new Date().toISOString();
db.transaction(() => {
  for (let i = 1; i <= rows; i++) insert.run(i, `user${i}@example.com`, `User ${i}`, i % 50 ? 'user' : 'admin', now);
})();
const select = db.prepare('SELECT id, email, name, role, created_at FROM users WHERE id = ?');

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.method === 'POST' && typeof (await jsonBody(ctx.req)) !== 'object') ctx.throw(400, 'a JSON object is expected');
  const id = 1 + Math.floor(Math.random() * rows);
  const row = select.get(id);
  if (!row) ctx.throw(500, `row ${id} missing`);
  ctx.body = row;
});
const server = app.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
process.on('SIGTERM', () => {
  server.close(() => {
    db.close();
    process.exit(0);
  });
  server.closeAllConnections();
});
