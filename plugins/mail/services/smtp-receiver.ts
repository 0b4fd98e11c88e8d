import fs from 'node:fs';
import os from 'node:os';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { AppError } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { MailSettings } from '../config.js';
import type { Ingest } from './ingest.js';
import type { DeliveryMailbox, Mailboxes } from './mailboxes.js';
import { SessionLimits, dataTooSlow } from './smtp-limits.js';
import type { SmtpMetrics } from './smtp-metrics.js';
import { coalesceReplies } from './smtp-reply-coalescing.js';

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/** smtp-server whose connections send the replies to pipelined commands together (smtp-reply-coalescing.ts). */
class CoalescingSmtpServer extends SMTPServer {
  override connect(socket: Socket | TLSSocket, options?: Parameters<SMTPServer['connect']>[1]): void {
    coalesceReplies(socket);
    super.connect(socket, options);
  }
}

/** The reply code an error is sent with (smtp-server sends 450 for an error without one). */
const replyCode = (err: unknown): number => (err as { responseCode?: number })?.responseCode ?? 450;

const TOO_MANY_FROM_YOU = '4.7.0 too many connections from your address; try again later';
const SESSION_OVER = '4.4.2 session time limit reached; reconnect to continue';

/** What SmtpReceiver is built from, passed by name. */
export interface SmtpReceiverDeps {
  settings: MailSettings;
  ingest: Ingest;
  mailboxes: Mailboxes;
  logger: Logger;
  /** Sessions, messages by reply code, sizes (smtp-metrics.ts). */
  metrics?: SmtpMetrics | null;
}

/**
 * The built-in receiver. RCPT is refused (550) unless the address is at a mail domain (config or added) and
 * has a mailbox (or its domain creates one on first mail); more than maxRecipients is 452; a
 * message over maxMessageBytes is 552 with nothing stored. The 250 is sent only after the message
 * is durably stored. A message that can never be accepted (malformed MIME) is a 554, so the sender
 * gives up; a fault on our side (the database) is a 451, so it retries.
 *
 * No client can hold the server: at most maxConnectionsPerIp connections per address (421 past
 * it), each session ends at sessionTimeoutMs, and DATA must keep up minDataRate (421 otherwise).
 */
export class SmtpReceiver {
  private server: SMTPServer | null = null;
  private readonly limits: SessionLimits;
  /** Sessions whose message is being stored: their deadline waits for the reply. */
  private readonly storing = new Set<string>();
  private readonly overdue = new Set<string>();
  /** The STARTTLS certificate loaded at start (PEM): what clients are shown until the next start. */
  private served: Buffer | null = null;

  constructor(private readonly deps: SmtpReceiverDeps) {
    this.limits = new SessionLimits({ settings: deps.settings.smtp, onDeadline: (id) => this.sessionOver(id) });
  }

  /** Sessions open now (the metrics read it when scraped). */
  openSessions(): number {
    return this.server?.connections.size ?? 0;
  }

  /** The certificate served for STARTTLS (PEM), null when STARTTLS is off: the smtp.certificate alert reads it. */
  certificate(): Buffer | null {
    return this.served;
  }

  async start(host: string, port: number): Promise<number> {
    const { smtp } = this.deps.settings;
    const tls = smtp.tlsKeyFile && smtp.tlsCertFile ? { key: fs.readFileSync(smtp.tlsKeyFile), cert: fs.readFileSync(smtp.tlsCertFile) } : null;
    this.served = tls?.cert ?? null;
    this.server = new CoalescingSmtpServer({
      name: os.hostname(),
      banner: 'Plinth', // smtp-server sends "220 <name> ESMTP <banner>"
      size: smtp.maxMessageBytes,
      authOptional: true,
      disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      ...(tls ?? {}),
      maxClients: smtp.maxClients,
      socketTimeout: smtp.socketTimeoutMs,
      closeTimeout: 5_000,
      disableReverseLookup: true,
      maxAllowedUnauthenticatedCommands: smtp.maxUnauthenticatedCommands,
      logger: false,
      // After STARTTLS the connection writes to its TLS socket: its replies are held the same way.
      onSecure: (socket, _session, callback) => {
        coalesceReplies(socket);
        callback();
      },
      onConnect: (session, callback) => {
        if (this.limits.admit(session.id, session.remoteAddress)) {
          this.deps.metrics?.sessions.inc({ outcome: 'accepted' });
          return callback();
        }
        this.deps.metrics?.sessions.inc({ outcome: 'refused' });
        this.deps.logger.warn({ client: session.remoteAddress }, 'SMTP connection refused: too many from this address');
        callback(smtpError(421, TOO_MANY_FROM_YOU));
      },
      onClose: (session) => {
        this.limits.release(session.id);
        this.storing.delete(session.id);
        this.overdue.delete(session.id);
      },
      onRcptTo: (address, session, callback) => {
        this.acceptRecipient(address.address, session).then(
          () => callback(),
          (err: Error) => {
            this.deps.metrics?.recipientsRefused.inc({ code: replyCode(err) });
            callback(err);
          },
        );
      },
      onData: (stream, session, callback) => {
        // The deadline passed while the message was being stored: end right after its reply.
        const thenEndIfOverdue = () => {
          if (this.overdue.has(session.id)) setImmediate(() => this.hangUp(session.id, SESSION_OVER));
        };
        this.receive(stream, session).then(
          (message) => {
            this.deps.metrics?.messages.inc({ code: 250, outcome: 'accepted' });
            callback(null, message);
            thenEndIfOverdue();
          },
          (err: Error) => {
            this.deps.metrics?.messages.inc({ code: replyCode(err), outcome: 'refused' });
            callback(err);
            thenEndIfOverdue();
          },
        );
      },
    });
    this.server.on('error', (err) => this.deps.logger.warn({ err }, 'SMTP connection error'));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const bound = (this.server as unknown as { server: { address(): AddressInfo } }).server.address().port;
    this.deps.logger.info({ port: bound }, 'SMTP receiver listening');
    return bound;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = null;
    this.limits.clear();
  }

  /** Sends a 421 (which closes the connection); nothing if it is already gone. */
  private hangUp(sessionId: string, text: string): void {
    for (const connection of this.server?.connections ?? []) {
      if (connection.id === sessionId) {
        connection.send(421, text);
        return;
      }
    }
  }

  private sessionOver(sessionId: string): void {
    // A message being stored gets its reply first (else the sender would retry a stored message).
    if (this.storing.has(sessionId)) this.overdue.add(sessionId);
    else this.hangUp(sessionId, SESSION_OVER);
  }

  /** Mailboxes found at RCPT, kept for DATA so each is looked up once per message. */
  private readonly resolved = new WeakMap<SMTPServerSession, Map<string, DeliveryMailbox>>();

  private async acceptRecipient(address: string, session: SMTPServerSession): Promise<void> {
    if (session.envelope.rcptTo.length >= this.deps.settings.smtp.maxRecipients)
      throw smtpError(452, `too many recipients (at most ${this.deps.settings.smtp.maxRecipients})`);
    if (!(await this.deps.mailboxes.acceptsDomain(address))) throw smtpError(550, `${address}: relay not permitted, not a local domain`);
    const mailbox = await this.deps.mailboxes.forDelivery(address);
    if (!mailbox) throw smtpError(550, `${address}: no such mailbox here`);
    if (session.envelope.rcptTo.length === 0) this.resolved.set(session, new Map()); // a new transaction
    this.resolved.get(session)?.set(address.toLowerCase(), mailbox);
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const { chunks, bytes } = await this.readData(stream, session);
    this.deps.metrics?.size.observe(bytes);
    if (stream.sizeExceeded || bytes > this.deps.settings.smtp.maxMessageBytes)
      throw smtpError(552, `message exceeds the size limit of ${this.deps.settings.smtp.maxMessageBytes} bytes`);
    const rcptTo = session.envelope.rcptTo.map((r) => r.address);
    const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    this.storing.add(session.id);
    try {
      const stored = await this.deps.ingest.receive(Buffer.concat(chunks, bytes), rcptTo, from, this.resolved.get(session));
      return `OK: stored as ${stored.map((s) => s.id).join(',')}`;
    } catch (err) {
      throw this.refusal(err);
    } finally {
      this.storing.delete(session.id);
    }
  }

  /**
   * The message's bytes up to the end of DATA, kept up to the size limit (the rest read and
   * dropped). A sender slower than the minimum data rate is hung up on and the stream destroyed.
   * Read by its events rather than `for await`, whose iterator costs a promise a chunk and a set of
   * listeners a message on the hot path.
   */
  private readData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<{ chunks: Buffer[]; bytes: number }> {
    const { smtp } = this.deps.settings;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      const started = performance.now();
      const onData = (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes <= smtp.maxMessageBytes) chunks.push(chunk);
        if (!dataTooSlow(performance.now() - started, bytes, smtp)) return;
        stream.off('data', onData);
        stream.off('end', onEnd);
        const text = `4.4.2 message data too slow (under ${smtp.minDataRate} bytes/s)`;
        this.hangUp(session.id, text);
        stream.destroy();
        reject(smtpError(421, text));
      };
      const onEnd = () => resolve({ chunks, bytes });
      stream.on('data', onData);
      stream.once('end', onEnd);
      stream.once('error', reject);
    });
  }

  /** The reply for a message that was not stored: permanent (5xx) only when retrying cannot help. */
  private refusal(err: unknown): Error {
    if (err instanceof AppError && err.code === 'no_such_mailbox') return smtpError(550, err.message);
    if (err instanceof AppError && err.code === 'malformed_message') return smtpError(554, `5.6.0 ${err.message}`);
    if (!(err instanceof AppError)) this.deps.logger.error({ err }, 'a received message could not be stored');
    return smtpError(451, err instanceof AppError ? err.message : 'temporary failure storing the message; try again');
  }
}
