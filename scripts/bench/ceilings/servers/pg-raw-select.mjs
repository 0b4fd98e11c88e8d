// Ceiling: bare Koa route doing one indexed SELECT (by primary key, random id; a POST's JSON body read and parsed first) through the raw pg
// driver (a pool of 10, as Plinth's default) on a table of BENCH_ROWS rows in BENCH_DB_URL. The row
// answered has the shape of Plinth's reply (BENCH_REPLY, reply-shape.mjs).
import Koa from 'koa';
import { jsonBody } from './json-body.mjs';
import { quoted, replyShape } from './reply-shape.mjs';
import pg from 'pg';

const url = process.env.BENCH_DB_URL;
if (!url) throw new Error('BENCH_DB_URL is required');
const rows = Number(process.env.BENCH_ROWS ?? 10000);
const pool = new pg.Pool({ connectionString: url, max: 10 });

const { columns, nested } = replyShape();
await pool.query(`CREATE TABLE users (n INTEGER PRIMARY KEY, ${columns.map(([name, type]) => `${quoted(name)} ${type}`).join(', ')})`);
for (let from = 1; from <= rows; from += 1000) {
  const batch = [];
  for (let i = from; i < Math.min(from + 1000, rows + 1); i++) batch.push([i, ...columns.map(([, , value]) => value(i))]);
  const width = columns.length + 1;
  const tuples = batch.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`);
  await pool.query(`INSERT INTO users VALUES ${tuples.join(', ')}`, batch.flat());
}
const select = `SELECT ${columns.map(([name]) => quoted(name)).join(', ')} FROM users WHERE n = $1`;

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.method === 'POST' && typeof (await jsonBody(ctx.req)) !== 'object') ctx.throw(400, 'a JSON object is expected');
  const id = 1 + Math.floor(Math.random() * rows);
  const { rows: found } = await pool.query(select, [id]);
  if (!found[0]) ctx.throw(500, `row ${id} missing`);
  ctx.body = nested ? Object.assign(found[0], nested) : found[0];
});
const server = app.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
process.on('SIGTERM', () => {
  server.close(() => pool.end().then(() => process.exit(0)));
  server.closeAllConnections();
});
