// The SMTP load generator, in a process of its own as wrk is for HTTP: a client that spends little
// CPU per message, so that on a small machine the servers under test get the cores and not the
// sender. Reads one run's spec from BENCH_SMTP_LOAD (JSON: port, count, timeBoundMs, connections,
// domain, bytes), builds every message first with nodemailer (the bytes nodemailer itself sends),
// then, timed, sends them over `connections` connections as nodemailer does: EHLO once a
// connection, then per message MAIL FROM, RCPT TO and DATA (in one write where the server offers
// PIPELINING, else each after the reply to the one before), the message (dot-stuffed) once DATA's
// 354 is in, and the next only after its 250. Any other reply fails that message. Prints
// `RESULT <json>`: sent, failed, elapsedMs, perSec, firstError and cpuUs (its CPU a message sent,
// process.cpuUsage() around the timed part).
import net from 'node:net';
import nodemailer from 'nodemailer';

const spec = JSON.parse(process.env.BENCH_SMTP_LOAD ?? 'null');
if (!spec) throw new Error('BENCH_SMTP_LOAD is required');
const { port, count, timeBoundMs, connections, domain = 'bench.test', bytes } = spec;

/** A small multipart message (text + HTML), unique per index; `bytes` pads it to about that size. */
function smallMessage(i, domain, bytes = 0) {
  const padding =
    bytes > 700 ? `\n\n${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(Math.ceil((bytes - 700) / 57)).slice(0, bytes - 700)}` : '';
  return {
    from: `Sender ${i} <sender${i}@bench.invalid>`,
    to: `box${i % 100}@${domain}`,
    subject: `Your code is ${100000 + i}`,
    text: `Hello,\n\nyour one-time code is ${100000 + i}. It expires in 10 minutes.\n\n-- bench${padding}`,
    html: `<p>Hello,</p><p>your one-time code is <b>${100000 + i}</b>. It expires in 10 minutes.</p><p>-- bench</p>`,
  };
}

const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
const messages = [];
for (let i = 0; i < count; i++) {
  const m = smallMessage(i, domain, bytes);
  const { message } = await composer.sendMail(m);
  // DATA's transparency (RFC 5321 4.5.2): a line that starts with a dot gets another.
  const body = message.toString('latin1').replace(/(^|\r\n)\./g, '$1..');
  const envelope = [`MAIL FROM:<${m.from.match(/<(.+)>/)[1]}>\r\n`, `RCPT TO:<${m.to}>\r\n`, 'DATA\r\n'];
  messages.push({
    envelope,
    pipelined: envelope.join(''),
    data: Buffer.from(`${body}${body.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1'),
  });
}

/** A connection's replies, one at a time: each a code, its last line and all its lines. */
function replies(socket) {
  let buffered = '';
  let lines = [];
  const waiting = [];
  const ready = [];
  socket.setEncoding('latin1');
  socket.on('data', (chunk) => {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf('\r\n')) !== -1) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      lines.push(line);
      if (line[3] === '-') continue; // a multi-line reply goes on
      const reply = { code: Number(line.slice(0, 3)), line, lines };
      lines = [];
      const take = waiting.shift();
      take ? take.resolve(reply) : ready.push(reply);
    }
  });
  const fail = (err) => {
    for (const w of waiting.splice(0)) w.reject(err);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('the server closed the connection')));
  return () => (ready.length ? Promise.resolve(ready.shift()) : new Promise((resolve, reject) => waiting.push({ resolve, reject })));
}

let next = 0;
let sent = 0;
let failed = 0;
let firstError;
const started = performance.now();
const deadline = started + timeBoundMs;
const cpu = process.cpuUsage();

async function connection() {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const reply = replies(socket);
  /** The envelope's commands in one write, and their three replies. */
  const pipelined = async (commands) => {
    socket.write(commands);
    return [await reply(), await reply(), await reply()];
  };
  /** The envelope's commands each after the reply to the one before; a refusal ends it (the rest answered 503 here). */
  const inTurn = async (commands) => {
    const answers = [];
    for (const command of commands) {
      if (answers.length && answers[answers.length - 1].code >= 400) answers.push({ code: 503, line: '503 not sent' });
      else {
        socket.write(command);
        answers.push(await reply());
      }
    }
    return answers;
  };
  const expect = async (code, what) => {
    const r = await reply();
    if (r.code !== code) throw new Error(`${what}: ${r.line}`);
    return r;
  };
  try {
    await expect(220, 'greeting');
    socket.write('EHLO bench.invalid\r\n');
    const pipelining = (await expect(250, 'EHLO')).lines.some((l) => /^250[ -]PIPELINING\b/i.test(l));
    while (next < count && performance.now() < deadline) {
      const m = messages[next++];
      // The three replies to the envelope come whatever each says.
      const [from, rcpt, data] = pipelining ? await pipelined(m.pipelined) : await inTurn(m.envelope);
      let refused = [from, rcpt].find((r) => r.code !== 250) ?? (data.code === 354 ? null : data);
      if (data.code === 354) {
        socket.write(refused ? '.\r\n' : m.data); // a DATA the server took is ended either way
        const stored = await reply();
        if (!refused && stored.code !== 250) refused = stored;
      }
      if (!refused) {
        sent++;
        continue;
      }
      failed++;
      firstError ??= refused.line;
      if (failed > 10) break;
      socket.write('RSET\r\n');
      await reply();
    }
    socket.write('QUIT\r\n');
  } catch (err) {
    failed++;
    firstError ??= err.message;
  } finally {
    socket.end();
  }
}

await Promise.all(Array.from({ length: connections }, connection));
const elapsedMs = performance.now() - started;
const used = process.cpuUsage(cpu);
console.log(
  `RESULT ${JSON.stringify({ sent, failed, elapsedMs, perSec: (sent * 1000) / elapsedMs, firstError, cpuUs: sent ? (used.user + used.system) / sent : 0 })}`,
);
