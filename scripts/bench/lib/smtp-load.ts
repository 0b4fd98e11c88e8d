// SMTP load: small messages over a few connections on loopback, bounded by count and by time, sent
// by workers/smtp-load.mjs in a process of its own (the HTTP figures' wrk, for SMTP): its CPU is
// its own and is reported beside the server's. Used by every SMTP figure and ceiling.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, spawnChild, waitForLine } from './process.js';

const smtpWorker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workers', 'smtp-load.mjs');

export interface SmtpLoadOptions {
  port: number;
  /** Messages to send; the run also stops at `timeBoundMs`. */
  count: number;
  timeBoundMs: number;
  /** Concurrent SMTP connections, each sending its next message once the one before has its 250. */
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
  /** The sender's CPU a message sent, µs. */
  cpuUs: number;
}

export async function sendMessages(options: SmtpLoadOptions): Promise<SmtpLoadResult> {
  const child = spawnChild('smtp-load', process.execPath, [smtpWorker], { env: cleanEnv({ BENCH_SMTP_LOAD: JSON.stringify(options) }) });
  try {
    // Building the messages comes first (a few seconds for 100,000), then the timed run.
    const m = await waitForLine(child, /^RESULT (.+)$/, options.timeBoundMs + 60_000 + options.count);
    return JSON.parse(m[1]) as SmtpLoadResult;
  } finally {
    await child.stop();
  }
}
