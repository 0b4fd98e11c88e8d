// No one client can hold the SMTP receiver: a per-address connection cap (421 4.7.0 past it, other
// addresses unaffected), a total session deadline, a minimum data rate during DATA and the idle
// timeout between commands. Every test talks over real sockets (raw, or nodemailer).
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerOwner } from '../../../test/helpers/actors.js';
import { AUTO_DOMAIN, createMailbox, inbox, rowCounts, send, startMailApp, transport, unique, type MailApp } from './helpers.js';
import { addressKey } from 'plinth/plugin';
import { dataTooSlow } from '../services/smtp-limits.js';

/** A raw SMTP client: every reply line, and whether the server closed the connection. */
class RawSmtp {
  readonly lines: string[] = [];
  readonly closed: Promise<void>;
  private readonly socket: net.Socket;
  private buffer = '';
  private waiters: Array<() => void> = [];

  constructor(port: number, localAddress = '127.0.0.1') {
    this.socket = net.connect({ port, host: '127.0.0.1', localAddress });
    this.socket.setEncoding('utf8');
    this.socket.on('error', () => undefined); // a reset after the server's 421 is expected
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\r\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, nl));
        this.buffer = this.buffer.slice(nl + 2);
      }
      this.waiters.forEach((w) => w());
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.closed.then(() => this.waiters.forEach((w) => w()));
  }

  /** The first reply line matching `pattern` (waits for it; fails if the connection ends first). */
  async reply(pattern: RegExp, from = 0): Promise<string> {
    let ended = false;
    void this.closed.then(() => (ended = true));
    for (;;) {
      const found = this.lines.slice(from).find((l) => pattern.test(l));
      if (found) return found;
      if (ended || this.socket.destroyed) assert.fail(`no reply matching ${pattern}; got: ${this.lines.join(' | ')}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.waiters = [];
    }
  }

  /** Sends one command line and returns its (final) reply line. */
  async command(text: string): Promise<string> {
    const from = this.lines.length;
    this.write(`${text}\r\n`);
    return this.reply(/^\d{3} /, from);
  }

  write(text: string): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(text);
  }

  get open(): boolean {
    return !this.socket.destroyed;
  }

  /** Sends `text` one byte at a time, `everyMs` apart, until done or the connection is gone. */
  async drip(text: string, everyMs: number): Promise<void> {
    for (const ch of text) {
      if (!this.open) return;
      this.write(ch);
      await sleep(everyMs);
    }
  }

  end(): void {
    this.socket.destroy();
  }
}

describe('mail: SMTP limits per client', function () {
  this.timeout(60_000);

  describe('connections per address (maxConnectionsPerIp: 3)', () => {
    let t: MailApp;
    const held: RawSmtp[] = [];
    before(async () => {
      t = await startMailApp({ mail: { smtp: { maxConnectionsPerIp: 3 } } });
    });
    after(async () => {
      held.forEach((c) => c.end());
      await t?.close();
    });

    it('the 4th connection from one address gets 421 4.7.0 and is closed; another address still gets in and delivers', async () => {
      for (let i = 0; i < 3; i++) {
        const c = new RawSmtp(t.smtpPort);
        held.push(c);
        assert.match(await c.reply(/^220 /), /ESMTP/);
      }
      const fourth = new RawSmtp(t.smtpPort);
      assert.equal(await fourth.reply(/^\d{3} /), '421 4.7.0 too many connections from your address; try again later');
      await fourth.closed;

      // 127.0.0.2 is another client address (Linux routes all of 127/8 to loopback).
      const other = new RawSmtp(t.smtpPort, '127.0.0.2');
      assert.match(await other.reply(/^\d{3} /), /^220 /);
      other.end();
      const owner = await registerOwner(t);
      const address = await createMailbox(t, owner);
      const tr = transport(t, { localAddress: '127.0.0.2' });
      try {
        const info = await tr.sendMail({ from: 'sender@outside.test', to: address, subject: 'from another address', text: 'hello' });
        assert.match(info.response, /^250 /);
      } finally {
        tr.close();
      }
      assert.deepEqual(
        (await inbox(t, owner, address)).map((e) => e.subject),
        ['from another address'],
      );
    });

    it('once one of the three leaves, the address gets a connection again', async () => {
      const leaving = held.shift()!;
      assert.match(await leaving.command('QUIT'), /^221 /);
      await leaving.closed;
      // The slot is given back when the server sees the socket close; a new connection is greeted
      // after that (a short wait in a loop, not a timed assertion).
      let greeting = '';
      for (let attempt = 0; attempt < 30 && !greeting.startsWith('220 '); attempt++) {
        const c = new RawSmtp(t.smtpPort);
        greeting = await c.reply(/^\d{3} /);
        if (greeting.startsWith('220 ')) held.push(c);
        else await sleep(100);
      }
      assert.match(greeting, /^220 /);
    });
  });

  describe('slow clients (socketTimeoutMs 1000, sessionTimeoutMs 2500, minDataRate 200)', () => {
    let t: MailApp;
    before(async () => {
      t = await startMailApp({ mail: { smtp: { socketTimeoutMs: 1000, sessionTimeoutMs: 2500, minDataRate: 200 } } });
    });
    after(async () => t?.close());

    it('a client that drips one byte at a time (never idle long enough for the idle timeout) is cut at the session deadline: 421 4.4.2, closed', async () => {
      const c = new RawSmtp(t.smtpPort);
      await c.reply(/^220 /);
      assert.match(await c.command('EHLO dripper.test'), /^250 /);
      const dripping = c.drip('NOOP\r\n'.repeat(100), 150);
      assert.equal(await c.reply(/^421 /), '421 4.4.2 session time limit reached; reconnect to continue');
      await c.closed;
      await dripping;
      assert.ok(!c.lines.some((l) => /Timeout/.test(l)), 'the idle timeout never fired: the deadline did it');
    });

    it('a client that drips the message during DATA is cut for its data rate: 421 4.4.2, nothing stored', async () => {
      const to = `${unique('drip')}@${AUTO_DOMAIN}`;
      const before = await rowCounts(t);
      const c = new RawSmtp(t.smtpPort);
      await c.reply(/^220 /);
      assert.match(await c.command('EHLO dripper.test'), /^250 /);
      assert.match(await c.command('MAIL FROM:<slow@outside.test>'), /^250 /);
      assert.match(await c.command(`RCPT TO:<${to}>`), /^250 /);
      assert.match(await c.command('DATA'), /^354 /);
      const dripping = c.drip(`Subject: slow\r\n\r\n${'x'.repeat(200)}\r\n.\r\n`, 100);
      assert.equal(await c.reply(/^421 /), '421 4.4.2 message data too slow (under 200 bytes/s)');
      await c.closed;
      await dripping;
      assert.deepEqual(await rowCounts(t), before, 'nothing stored');
    });

    it('a deadline that passes while a message is being stored waits for its 250, then ends the session', async () => {
      const to = `${unique('late')}@${AUTO_DOMAIN}`;
      const c = new RawSmtp(t.smtpPort);
      await c.reply(/^220 /);
      assert.match(await c.command('EHLO late.test'), /^250 /);
      assert.match(await c.command('MAIL FROM:<late@outside.test>'), /^250 /);
      assert.match(await c.command(`RCPT TO:<${to}>`), /^250 /);
      assert.match(await c.command('DATA'), /^354 /);
      // Hold the database while the message goes in, past the session deadline: storing waits.
      let release: () => void = () => undefined;
      const holding = t.db.transaction(async (trx) => {
        if (t.db.client.config.client === 'pg') await trx.raw('LOCK TABLE mail_raw IN EXCLUSIVE MODE');
        else await trx('mail_mailboxes').where('id', -1).update({ address: 'nobody' }); // SQLite: the one connection is ours
        await new Promise<void>((resolve) => (release = resolve));
      });
      await sleep(100);
      c.write('Subject: stored late\r\n\r\nbody\r\n.\r\n');
      await sleep(3000);
      release();
      await holding;
      const stored = await c.reply(/^250 OK: stored/);
      assert.equal(await c.reply(/^421 /), '421 4.4.2 session time limit reached; reconnect to continue');
      assert.ok(c.lines.indexOf(stored) < c.lines.findIndex((l) => l.startsWith('421 ')), c.lines.join(' | '));
      await c.closed;
      const id = Number(/stored as (\d+)/.exec(stored)![1]);
      assert.equal((await t.db('mail_emails').where('id', id).first('subject')).subject, 'stored late');
    });

    it('a client that says nothing meets the idle timeout between commands (421, closed)', async () => {
      const c = new RawSmtp(t.smtpPort);
      await c.reply(/^220 /);
      assert.match(await c.command('EHLO quiet.test'), /^250 /);
      assert.match(await c.reply(/^421 /), /Timeout/);
      await c.closed;
    });

    it('a normal sender (nodemailer) is not troubled by any of it', async () => {
      const owner = await registerOwner(t);
      const address = await createMailbox(t, owner);
      const info = await send(t, { to: address, subject: 'on time', text: 'y'.repeat(100_000) });
      assert.match(info.response, /^250 /);
      assert.deepEqual(
        (await inbox(t, owner, address)).map((e) => e.subject),
        ['on time'],
      );
    });
  });

  it('client keys: IPv4 as is (also IPv4-mapped), IPv6 by /64; the data-rate floor', () => {
    assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2::ffff'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002:1:2:3:4'), '2001:db8:1:2::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    const s = { maxConnectionsPerIp: 1, sessionTimeoutMs: 1000, socketTimeoutMs: 1000, minDataRate: 500 };
    assert.equal(dataTooSlow(900, 0, s), false, 'within the grace');
    assert.equal(dataTooSlow(3000, 1000, s), false, '1000 bytes earn 2 s more');
    assert.equal(dataTooSlow(3001, 1000, s), true);
    assert.equal(dataTooSlow(1e9, 0, { ...s, minDataRate: 0 }), false, '0 turns the check off');
  });
});
