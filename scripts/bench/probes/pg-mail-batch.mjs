// PostgreSQL's own CPU for a batch of received mail, named (prepared) statements against unnamed
// ones: the statements of the mail plugin's ingest (its emails, raw bytes, mailbox touch and
// mail.received events, in one transaction) on tables shaped as its own, 3 messages a batch,
// 1,500 batches per line after 100 unmeasured, the backend's CPU read from /proc/<pid>/stat (so
// it runs on the machine PostgreSQL runs on). Lines without a part say what each part costs; the
// `one statement` lines write the same rows as Plinth does since 2026-11-27 (WriteSet): the emails'
// ids taken from their sequence, then every part as one statement without BEGIN and COMMIT. The
// probe's own CPU (`node µs/msg`) is the driver's and the kernel's side of the round trips.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node scripts/bench/probes/pg-mail-batch.mjs
// It makes (and drops first) a database named plinth_probe_mail_batch on that server.
import fs from 'node:fs';
import pg from 'pg';

const server = process.env.DATABASE_URL;
if (!server?.startsWith('postgres')) throw new Error('DATABASE_URL=postgres://… is required');
const DB = 'plinth_probe_mail_batch';
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
await admin.query(`CREATE DATABASE ${DB}`);
await admin.end();
const url = new URL(server);
url.pathname = `/${DB}`;
const c = new pg.Client({ connectionString: url.toString() });
await c.connect();
await c.query(`
create table mb (id serial primary key, tenant_id varchar(64), address varchar(320) not null unique, domain varchar(255) not null,
  last_received_at varchar(24), created_at varchar(24) not null);
create index on mb (tenant_id, created_at);
create table em (id serial primary key, mailbox_id integer not null references mb(id) on delete cascade, tenant_id varchar(64),
  message_id varchar(998), sender varchar(320) not null default '', sender_name varchar(320) not null default '', recipients text not null,
  subject varchar(998) not null default '', preview varchar(400) not null default '', text_content text, html_content text,
  verification_code varchar(16), attachments text not null default '[]', size integer not null, is_read boolean not null default false,
  forwarded boolean not null default false, received_at varchar(24) not null);
create index on em (mailbox_id, id);
create index on em (tenant_id, id);
create table raw (email_id integer primary key references em(id) on delete cascade, raw bytea not null);
create table ev (id serial primary key, name varchar(120) not null, version integer not null default 1, tenant_id varchar(64),
  payload text not null, meta text, status varchar(16) not null default 'pending', attempts integer not null default 0,
  available_at varchar(24) not null, locked_by varchar(64), locked_until varchar(24), last_error text, created_at varchar(24) not null,
  delivered_at varchar(24));
create index on ev (available_at, id) where status = 'pending';
create index on ev (delivered_at) where status = 'delivered';
create index on ev (id) where status = 'dead';`);
for (let i = 0; i < 100; i++)
  await c.query('insert into mb (address, domain, created_at) values ($1, $2, $3)', [`box${i}@bench.test`, 'bench.test', new Date().toISOString()]);
const pid = (await c.query('select pg_backend_pid() as p')).rows[0].p;
// utime and stime of the backend, in clock ticks (100 a second on Linux): µs.
const cpu = () => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
};
const text =
  'Hello,\n\nyour one-time code is 123456. It expires in 10 minutes.\n\n-- bench\n\n' + 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(24);
const html = '<p>Hello,</p><p>your one-time code is <b>123456</b>. It expires in 10 minutes.</p><p>-- bench</p>';
const rawBytes = Buffer.from('X'.repeat(2300));
const EMCOLS = [
  'mailbox_id',
  'tenant_id',
  'message_id',
  'sender',
  'sender_name',
  'recipients',
  'subject',
  'preview',
  'text_content',
  'html_content',
  'verification_code',
  'attachments',
  'size',
  'forwarded',
  'received_at',
];
const EVCOLS = ['name', 'version', 'tenant_id', 'payload', 'meta', 'status', 'attempts', 'available_at', 'created_at', 'delivered_at'];
/** The n-th message's email row, in EMCOLS' order. */
const emailValues = (n, now) => [
  1 + (n % 100),
  null,
  `<m${n}@x>`,
  `s${n}@bench.invalid`,
  `Sender ${n}`,
  JSON.stringify([`box${n % 100}@bench.test`]),
  `Your code is ${n}`,
  text.slice(0, 200),
  text,
  html,
  '123456',
  '[]',
  2300,
  false,
  now,
];
/** A mail.received event's values, in EVCOLS' order, as the outbox writes one no handler here takes. */
const eventValues = (id, now) => [
  'mail.received',
  1,
  null,
  JSON.stringify({
    email_id: id,
    mailbox: 'box@bench.test',
    mailbox_id: 1,
    sender: 's@x',
    subject: 'Your code',
    verification_code: '123456',
    message_id: '<m@x>',
  }),
  null,
  'delivered',
  0,
  now,
  now,
  now,
];
const values = (rows, ncols) => rows.map((_, r) => `(${Array.from({ length: ncols }, (_, k) => `$${r * ncols + k + 1}`).join(', ')})`).join(', ');
let n = 0;
async function batch(k, named, skip = {}) {
  const now = new Date().toISOString();
  const q = (name, text, vals) => c.query(named ? { name: name + ':' + k, text, values: vals } : { text, values: vals });
  await c.query('BEGIN');
  const rows = Array.from({ length: k }, () => emailValues(++n, now));
  const ids = (await q('em', `insert into em (${EMCOLS.join(', ')}) values ${values(rows, EMCOLS.length)} returning id`, rows.flat())).rows.map((r) => r.id);
  if (!skip.raw)
    await q(
      'raw',
      `insert into raw (email_id, raw) values ${values(ids, 2)}`,
      ids.flatMap((id) => [id, rawBytes]),
    );
  if (!skip.touch) {
    const mbs = [...new Set(rows.map((r) => r[0]))];
    await q('touch' + mbs.length, `update mb set last_received_at = $1 where id in (${mbs.map((_, i) => `$${i + 2}`).join(', ')})`, [now, ...mbs]);
  }
  if (!skip.events)
    await q(
      'ev',
      `insert into ev (${EVCOLS.join(', ')}) values ${values(ids, EVCOLS.length)}`,
      ids.flatMap((id) => eventValues(id, now)),
    );
  await c.query('COMMIT');
}
/** The same batch as Plinth writes it now: ids first, then one statement of WITH parts. */
async function batchTogether(k) {
  const now = new Date().toISOString();
  const ids = (await c.query({ name: 'ids', text: "select nextval('em_id_seq') as id from generate_series(1, $1::integer)", values: [k] })).rows.map((r) =>
    Number(r.id),
  );
  const values = [];
  const tuple = (row) =>
    `(${row
      .map((v) => {
        values.push(v);
        return `$${values.length}`;
      })
      .join(', ')})`;
  const mbs = [];
  const em = ids.map((id) => {
    const row = emailValues(++n, now);
    mbs.push(row[0]);
    return tuple([id, ...row]);
  });
  const raw = ids.map((id) => tuple([id, rawBytes]));
  const touch = `update mb set last_received_at = ${tuple([now])} where id in ${tuple([...new Set(mbs)])}`.replace(/= \((\$\d+)\)/, '= $1');
  const ev = ids.map((id) => tuple(eventValues(id, now)));
  const text_ = `with e as (insert into em (id, ${EMCOLS.join(', ')}) values ${em.join(', ')}), r as (insert into raw (email_id, raw) values ${raw.join(', ')}),
    t as (${touch}) insert into ev (${EVCOLS.join(', ')}) values ${ev.join(', ')}`;
  await c.query({ name: `together:${k}:${new Set(mbs).size}`, text: text_, values });
}
async function measure(label, fn, batches = 1500) {
  for (let i = 0; i < 100; i++) await fn();
  const c0 = cpu();
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) await fn();
  const used = cpu() - c0;
  const own = process.cpuUsage(u0);
  const perMsg = (us) => (us / batches / 3).toFixed(0);
  console.log(
    label.padEnd(28),
    'pg µs/msg',
    perMsg(used),
    ' node µs/msg',
    perMsg(own.user + own.system),
    ' wall µs/batch',
    (((performance.now() - t0) * 1000) / batches).toFixed(0),
  );
}
// Each part left out in turn says what it costs; both rounds alike say the machine held still.
const parts = { '': {}, ' no events': { events: true }, ' no raw': { raw: true }, ' no touch': { touch: true } };
for (let round = 0; round < 2; round++) {
  for (const [label, skip] of Object.entries(parts)) {
    await measure(`unnamed${label}`, () => batch(3, false, skip));
    await measure(`named${label}`, () => batch(3, true, skip));
  }
  await measure('named, one statement', () => batchTogether(3));
}
await c.end();
const drop = new pg.Client({ connectionString: server });
await drop.connect();
await drop.query(`DROP DATABASE IF EXISTS ${DB}`);
await drop.end();
