// Ceiling: bare Koa route doing one indexed SELECT (by primary key, random id; a POST's JSON body read and parsed first) through the raw
// better-sqlite3 driver (Plinth's) on a WAL database of BENCH_ROWS rows, with the same pragmas
// Plinth sets and the statement prepared once, as Plinth keeps it. The row answered has the shape
// of Plinth's reply (BENCH_REPLY, reply-shape.mjs).
import path from 'node:path';
import Database from 'better-sqlite3';
import Koa from 'koa';
import { jsonBody } from './json-body.mjs';
import { quoted, replyShape } from './reply-shape.mjs';

const dir = process.env.BENCH_DB_DIR;
if (!dir) throw new Error('BENCH_DB_DIR is required');
const rows = Number(process.env.BENCH_ROWS ?? 10000);
const db = new Database(path.join(dir, 'ceiling.sqlite'));

db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=0; PRAGMA foreign_keys=ON;');
const { columns, nested } = replyShape();
// SQLite has no boolean: a sample's true is stored and answered as 1, as the raw driver gives it.
const sqliteType = (type) => (type === 'BOOLEAN' ? 'INTEGER' : type === 'DOUBLE PRECISION' ? 'REAL' : type);
db.exec(`CREATE TABLE users (n INTEGER PRIMARY KEY, ${columns.map(([name, type]) => `${quoted(name)} ${sqliteType(type)}`).join(', ')})`);
const insert = db.prepare(`INSERT INTO users VALUES (?${', ?'.repeat(columns.length)})`);
const stored = (v) => (typeof v === 'boolean' ? Number(v) : v);
db.transaction(() => {
  for (let i = 1; i <= rows; i++) insert.run(i, ...columns.map(([, , value]) => stored(value(i))));
})();
const select = db.prepare(`SELECT ${columns.map(([name]) => quoted(name)).join(', ')} FROM users WHERE n = ?`);

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.method === 'POST' && typeof (await jsonBody(ctx.req)) !== 'object') ctx.throw(400, 'a JSON object is expected');
  const id = 1 + Math.floor(Math.random() * rows);
  const row = select.get(id);
  if (!row) ctx.throw(500, `row ${id} missing`);
  ctx.body = nested ? Object.assign(row, nested) : row;
});
const server = app.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
process.on('SIGTERM', () => {
  server.close(() => {
    db.close();
    process.exit(0);
  });
  server.closeAllConnections();
});
