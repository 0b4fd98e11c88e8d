// The SMTP receiver's replies to a group of pipelined commands go out together (RFC 2920 3.2):
// held on the socket until the end of the event loop's turn, a 220 and an end sent at once.
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { coalesceReplies } from '../services/smtp-reply-coalescing.js';

/** A connected pair on loopback: the server's end with its replies coalesced, and what the client has read. */
async function pair(): Promise<{ server: net.Socket; client: net.Socket; received: () => string; close: () => Promise<void> }> {
  const listener = net.createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  const [server] = (await once(listener, 'connection')) as [net.Socket];
  coalesceReplies(server);
  let text = '';
  client.setEncoding('utf8');
  client.on('data', (chunk: string) => {
    text += chunk;
  });
  return {
    server,
    client,
    received: () => text,
    close: async () => {
      client.destroy();
      server.destroy();
      listener.close();
      await once(listener, 'close');
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('mail: SMTP replies to pipelined commands go out together', () => {
  let p: Awaited<ReturnType<typeof pair>>;
  beforeEach(async () => {
    p = await pair();
  });
  afterEach(async () => p.close());

  it('holds the replies written in one turn of the event loop and sends them at its end, in order', async () => {
    const replies = ['250 Accepted\r\n', '250 Accepted\r\n', '354 End data with <CR><LF>.<CR><LF>\r\n'];
    const bytes = replies.join('').length;
    p.server.write(replies[0]);
    await Promise.resolve(); // an onRcptTo answered from a cache calls back in a microtask
    p.server.write(replies[1]);
    process.nextTick(() => p.server.write(replies[2]));
    await new Promise((resolve) => process.nextTick(resolve));
    assert.equal(p.server.writableLength, bytes, 'the three replies are held, not yet written to the connection');
    await nextTurn();
    assert.equal(p.server.writableLength, 0, 'sent at the end of the turn');
    while (p.received().length < bytes) await once(p.client, 'data');
    assert.equal(p.received(), replies.join(''));
  });

  it('sends a 220 at once with what was held before it: STARTTLS hands the socket to TLS right after', async () => {
    p.server.write('250 Accepted\r\n');
    p.server.write('220 Ready to start TLS\r\n');
    assert.equal(p.server.writableLength, 0);
    while (p.received().length < 38) await once(p.client, 'data');
    assert.equal(p.received(), '250 Accepted\r\n220 Ready to start TLS\r\n');
    // The turn's scheduled release finds nothing held; the next reply is held again.
    await nextTurn();
    p.server.write('250 OK\r\n');
    assert.equal(p.server.writableLength, 8);
  });

  it('ending the connection sends what is held first (QUIT’s 221, a 421)', async () => {
    const closed = once(p.client, 'end');
    p.server.write('221 Bye\r\n');
    p.server.end();
    await closed;
    assert.equal(p.received(), '221 Bye\r\n');
  });
});
