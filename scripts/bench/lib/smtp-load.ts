// SMTP load: a pooled nodemailer transport on loopback sending small messages, bounded by count
// and by time. Used for the smtp-parse ceiling and, later, Plinth's own SMTP ingest.
import nodemailer from 'nodemailer';

export interface SmtpLoadOptions {
  port: number;
  /** Messages to send; the run also stops at `timeBoundMs`. */
  count: number;
  timeBoundMs: number;
  /** Concurrent SMTP connections in the pool. */
  connections: number;
  /** Recipient domain, for a server that only accepts its own domains. */
  domain?: string;
  /** Pad the text part so each message is about this many bytes (default: a few hundred). */
  bytes?: number;
}

export interface SmtpLoadResult {
  sent: number;
  failed: number;
  elapsedMs: number;
  perSec: number;
  firstError?: string;
}

/** A small multipart message (text + HTML), unique per index; `bytes` pads it to about that size. */
export function smallMessage(i: number, domain: string, bytes = 0) {
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

export async function sendMessages(options: SmtpLoadOptions): Promise<SmtpLoadResult> {
  const domain = options.domain ?? 'bench.test';
  const transport = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port: options.port,
    secure: false,
    ignoreTLS: true,
    maxConnections: options.connections,
    maxMessages: Infinity,
    connectionTimeout: 5000,
    socketTimeout: 10000,
  });
  let next = 0;
  let sent = 0;
  let failed = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + options.timeBoundMs;
  // Twice as many senders as connections keeps every connection busy without an unbounded queue.
  const worker = async () => {
    while (next < options.count && performance.now() < deadline) {
      const i = next++;
      try {
        await transport.sendMail(smallMessage(i, domain, options.bytes));
        sent++;
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
        if (failed > 10) return;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections * 2 }, worker));
  } finally {
    transport.close();
  }
  const elapsedMs = performance.now() - started;
  return { sent, failed, elapsedMs, perSec: (sent * 1000) / elapsedMs, firstError };
}
