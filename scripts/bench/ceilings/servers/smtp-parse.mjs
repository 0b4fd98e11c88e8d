// Ceiling: bare smtp-server that parses each message with postal-mime (the parser Plinth uses) and
// stores nothing. No TLS, no auth: loopback only.
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

let parsed = 0;
const server = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  size: 1024 * 1024,
  onData(stream, _session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('error', callback);
    stream.on('end', () => {
      PostalMime.parse(Buffer.concat(chunks)).then(
        (mail) => {
          if (!mail.messageId) return callback(new Error('no Message-ID'));
          parsed++;
          callback();
        },
        (err) => callback(err),
      );
    });
  },
});
server.on('error', (err) => console.error(err));
server.listen(0, '127.0.0.1', () => console.log(`READY ${server.server.address().port}`));
process.on('SIGTERM', () => {
  console.log(`parsed ${parsed}`);
  server.close(() => process.exit(0));
});
