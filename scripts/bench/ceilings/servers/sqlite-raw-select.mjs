// Ceiling: bare Koa route doing one indexed SELECT (by primary key, random id) through the raw
// sqlite3 driver on a WAL database of BENCH_ROWS rows, with the same pragmas Plinth sets.
import path from 'node:path';
import Koa from 'koa';
import sqlite3 from 'sqlite3';

const dir = process.env.BENCH_DB_DIR;
if (!dir) throw new Error('BENCH_DB_DIR is required');
const rows = Number(process.env.BENCH_ROWS ?? 10000);
const db = new sqlite3.Database(path.join(dir, 'ceiling.sqlite'));

const exec = (sql) => new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
const get = (sql, params) => new Promise((resolve, reject) => db.get(sql, params, (err, row) => (err ? reject(err) : resolve(row))));

await exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;');
await exec(`CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL
)`);
await exec('BEGIN');
await new Promise((resolve, reject) => {
  const stmt = db.prepare('INSERT INTO users (id, email, name, role, created_at) VALUES (?, ?, ?, ?, ?)');
  const now = new Date().toISOString();
  for (let i = 1; i <= rows; i++) stmt.run(i, `user${i}@example.com`, `User ${i}`, i % 50 ? 'user' : 'admin', now);
  stmt.finalize((err) => (err ? reject(err) : resolve()));
});
await exec('COMMIT');

const app = new Koa();
app.use(async (ctx) => {
  const id = 1 + Math.floor(Math.random() * rows);
  const row = await get('SELECT id, email, name, role, created_at FROM users WHERE id = ?', [id]);
  if (!row) ctx.throw(500, `row ${id} missing`);
  ctx.body = row;
});
const server = app.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
process.on('SIGTERM', () => {
  server.close(() => db.close(() => process.exit(0)));
  server.closeAllConnections();
});
