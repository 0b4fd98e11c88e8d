import type { Worker } from 'node:worker_threads';
import type { AppError } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { startWorker } from 'plinth/plugin';
import type { MailSettings } from '../config.js';
import { type Prepared, prepareMessage } from './prepare-message.js';
import { MailErrors } from './errors.js';

export interface ParseRequest {
  /** Echoed in the reply, so a reply always finds its own message. */
  id: number;
  raw: Uint8Array;
  envelopeFrom: string;
}

/** `ready` once, when the worker has loaded the parser; then one reply per request. */
export type ParseReply = { ready: true } | { id: number; prepared: Prepared } | { id: number; error: { status: number; code: string; message: string } };

/** Turns received bytes into what is stored of a message (prepare-message.ts), here or in workers. */
export interface MessagePreparer {
  prepare(raw: Buffer, envelopeFrom: string): Promise<Prepared>;
  close(): Promise<void>;
}

/** With `smtp.parseWorkers: 0`: on the main thread, bounded only by the parse's own time budget. */
export class InlinePreparer implements MessagePreparer {
  constructor(private readonly settings: MailSettings) {}
  prepare(raw: Buffer, envelopeFrom: string): Promise<Prepared> {
    return prepareMessage(raw, envelopeFrom, this.settings);
  }
  async close(): Promise<void> {}
}

/** A new worker loads the parser first (a few hundred ms): its first message's time budget starts after that, within this bound. */
const STARTUP_MS = 30_000;

interface Job extends Omit<ParseRequest, 'id'> {
  resolve(prepared: Prepared): void;
  reject(err: Error): void;
}

export interface ParsePoolDeps {
  settings: MailSettings;
  logger: Logger;
}

/**
 * Received messages are parsed, sanitised and searched for a code in worker threads, so the main
 * thread only speaks SMTP and HTTP and writes rows: the parse is most of a message's CPU, and on a
 * machine with a core to spare it runs beside the rest. It is also the only way to stop a parse
 * that runs away on hostile MIME: past parseTimeoutMs its worker is terminated (503, the sender
 * retries) and a fresh one takes the next message. A timer on the main thread could only stop
 * waiting; the parse itself would have held the event loop. Workers start with the first message.
 */
export class ParsePool implements MessagePreparer {
  private readonly workers: ParseWorker[];

  constructor(deps: ParsePoolDeps) {
    this.workers = Array.from({ length: deps.settings.smtp.parseWorkers }, () => new ParseWorker({ settings: deps.settings, logger: deps.logger }));
  }

  prepare(raw: Buffer, envelopeFrom: string): Promise<Prepared> {
    const idlest = this.workers.reduce((a, b) => (b.load < a.load ? b : a));
    return idlest.run(raw, envelopeFrom);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

/**
 * Messages the main thread has handed to a worker and not yet had back, at most. The worker parses
 * them one after another in the order sent, so it never sits idle waiting for the main thread to
 * read a reply and post the next message (that round trip, not the parse, was most of a message's
 * wait under load), and the oldest one in flight is always the one being parsed.
 */
const IN_FLIGHT = 8;

interface ParseWorkerDeps {
  settings: MailSettings;
  logger: Logger;
}

/**
 * One worker thread and its queue. Its time budget and its failures name one message: the oldest
 * in flight, the one it is parsing. When that one times out or kills the worker, it alone fails;
 * the ones sent after it go to a fresh worker.
 */
class ParseWorker {
  private worker: Worker | null = null;
  private ready = false;
  private readonly queue: Job[] = [];
  /** Sent to the worker, oldest (the one being parsed) first; `sent` numbers the newest. */
  private readonly inFlight: Job[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sent = 0;

  constructor(private readonly deps: ParseWorkerDeps) {}

  get load(): number {
    return this.queue.length + this.inFlight.length;
  }

  run(raw: Buffer, envelopeFrom: string): Promise<Prepared> {
    return new Promise((resolve, reject) => {
      this.queue.push({ raw, envelopeFrom, resolve, reject });
      this.next();
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    for (const job of [...this.inFlight.splice(0), ...this.queue.splice(0)]) job.reject(MailErrors.parserUnavailable('the mail receiver is stopping'));
    this.stopClock();
    await worker?.terminate();
  }

  /** Hands queued messages to the worker while fewer than IN_FLIGHT are there. */
  private next(): void {
    while (this.queue.length && this.inFlight.length < IN_FLIGHT) {
      const job = this.queue.shift()!;
      const worker = this.thread();
      this.inFlight.push(job);
      if (this.inFlight.length === 1) this.startClock();
      // A small message's bytes sit in Node's shared buffer pool (Buffer.poolSize: 64 KB on Node 24),
      // and a clone copies the whole pool: the worker gets a copy of its own bytes, moved, not cloned.
      const raw = new Uint8Array(job.raw);
      worker.postMessage({ id: ++this.sent, raw, envelopeFrom: job.envelopeFrom } satisfies ParseRequest, [raw.buffer]);
    }
  }

  /** The oldest message's time budget: parseTimeoutMs from now, or from when a starting worker is ready. */
  private startClock(): void {
    this.stopClock();
    this.timer = this.ready
      ? setTimeout(() => this.timedOut(), this.deps.settings.smtp.parseTimeoutMs)
      : setTimeout(() => this.restart(MailErrors.parserUnavailable('the message parser did not start')), STARTUP_MS);
  }

  private stopClock(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(import.meta.url, './parse-worker', { workerData: { settings: this.deps.settings } });
    this.ready = false;
    worker.unref(); // an app that is not stopped must not be kept alive by its parser
    // A worker that was stopped may still have a reply on its way: only the current worker's count.
    worker.on('message', (reply: ParseReply) => {
      if (this.worker === worker) this.replied(reply);
    });
    worker.on('error', (err) => {
      if (this.worker !== worker) return;
      this.deps.logger.error({ err }, 'a mail parse worker failed');
      this.restart(MailErrors.parserUnavailable('the message parser failed'));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.restart(MailErrors.parserUnavailable(`the message parser stopped (exit ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  private replied(reply: ParseReply): void {
    if ('ready' in reply) {
      this.ready = true;
      if (this.inFlight.length) this.startClock();
      return;
    }
    // Replies come in the order sent: this one answers the oldest in flight (sent - inFlight + 1).
    if (!this.inFlight.length || reply.id !== this.sent - this.inFlight.length + 1) return;
    const job = this.inFlight.shift()!;
    if (this.inFlight.length) this.startClock();
    else this.stopClock();
    if ('prepared' in reply) job.resolve(reply.prepared);
    else job.reject(MailErrors.parsedInWorker(reply.error));
    this.next();
  }

  private timedOut(): void {
    this.deps.logger.warn({ timeoutMs: this.deps.settings.smtp.parseTimeoutMs }, 'a message took too long to parse: its parse worker was stopped');
    this.restart(MailErrors.parseTimedOut());
  }

  /**
   * The oldest message in flight fails with `err` and the worker is dropped (terminated if still
   * running); the messages sent after it go, first in line, to a fresh worker.
   */
  private restart(err: AppError): void {
    const worker = this.worker;
    this.worker = null;
    void worker?.terminate();
    this.stopClock();
    const [failed, ...unanswered] = this.inFlight.splice(0);
    this.queue.unshift(...unanswered);
    failed?.reject(err);
    this.next();
  }
}
