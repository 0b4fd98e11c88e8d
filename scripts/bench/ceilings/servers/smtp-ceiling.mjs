// The SMTP ceilings' server: bare smtp-server that parses each message with postal-mime (the parser
// Plinth uses) and answers 250 once `store` (if any) has resolved, or the error it threw. No TLS, no
// auth: loopback only. Prints READY <port>, and the count handled on SIGTERM, before `close`.
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

/** `store(mail, raw, session)`: the message parsed, its bytes and the SMTP session; null stores nothing. */
export function startSmtpCeiling(store, close = async () => {}) {
  let handled = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', async () => {
        try {
          const raw = Buffer.concat(chunks);
          const mail = await PostalMime.parse(raw);
          if (!mail.messageId) throw new Error('no Message-ID');
          await store?.(mail, raw, session);
          handled++;
          callback();
        } catch (err) {
          callback(err);
        }
      });
    },
  });
  server.on('error', (err) => console.error(err));
  server.listen(0, '127.0.0.1', () => console.log(`READY ${server.server.address().port}`));
  process.on('SIGTERM', () => {
    console.log(`handled ${handled}`);
    server.close(() => close().then(() => process.exit(0)));
  });
}
