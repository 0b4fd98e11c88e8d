// Ceiling: bare Koa + argon2id verify with Plinth's parameters (m=19 MiB, t=2, p=1). POST / -> verify one
// fixed hash against the password in the body. No database, no tokens: raw password-hash throughput.
import Koa from 'koa';
import argon2 from 'argon2';

const hash = await argon2.hash('bench-password-123', { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
const app = new Koa();
app.use(async (ctx) => {
  const chunks = [];
  for await (const c of ctx.req) chunks.push(c);
  const { password } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const ok = await argon2.verify(hash, password);
  ctx.status = ok ? 200 : 401;
  ctx.body = { ok };
});
const server = app.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
