// Ceiling: bare Koa route doing one indexed SELECT (by primary key, random id; a POST's JSON body read and parsed first) through the raw pg
// driver (a pool of 10, as Plinth's default) on a table of BENCH_ROWS rows in BENCH_DB_URL.
import Koa from 'koa';
import { jsonBody } from './json-body.mjs';
import pg from 'pg';

const url = process.env.BENCH_DB_URL;
if (!url) throw new Error('BENCH_DB_URL is required');
const rows = Number(process.env.BENCH_ROWS ?? 10000);
const pool = new pg.Pool({ connectionString: url, max: 10 });

await pool.query(`CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL
)`);
await pool.query(
  `INSERT INTO users (id, email, name, role, created_at)
   SELECT i, 'user' || i || '@example.com', 'User ' || i, CASE WHEN i % 50 = 0 THEN 'admin' ELSE 'user' END, now()::text FROM generate_series(1, $1::int) AS i`,
  [rows],
);

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.method === 'POST' && typeof (await jsonBody(ctx.req)) !== 'object') ctx.throw(400, 'a JSON object is expected');
  const id = 1 + Math.floor(Math.random() * rows);
  const { rows: found } = await pool.query('SELECT id, email, name, role, created_at FROM users WHERE id = $1', [id]);
  if (!found[0]) ctx.throw(500, `row ${id} missing`);
  ctx.body = found[0];
});
const server = app.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
process.on('SIGTERM', () => {
  server.close(() => pool.end().then(() => process.exit(0)));
  server.closeAllConnections();
});
