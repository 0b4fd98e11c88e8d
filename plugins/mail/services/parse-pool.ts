import { Worker } from 'node:worker_threads';
import { AppError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { MailSettings } from '../config.js';
import { type Prepared, prepareMessage } from './prepare-message.js';

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

/**
 * Built code runs parse-worker.js. Tests run the sources under tsx, whose loader a worker thread
 * does not inherit: there the worker registers it first, then imports parse-worker.ts.
 */
function spawnParseWorker(settings: MailSettings): Worker {
  const workerData = { settings };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./parse-worker.js', import.meta.url), { workerData });
  const entry = JSON.stringify(new URL('./parse-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); });`, { eval: true, workerData });
}

/** A new worker loads the parser first (a few hundred ms): its first message's time budget starts after that, within this bound. */
const STARTUP_MS = 30_000;

interface Job extends Omit<ParseRequest, 'id'> {
  resolve(prepared: Prepared): void;
  reject(err: Error): void;
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

  constructor(settings: MailSettings, logger: Logger) {
    this.workers = Array.from({ length: settings.smtp.parseWorkers }, () => new ParseWorker(settings, logger));
  }

  prepare(raw: Buffer, envelopeFrom: string): Promise<Prepared> {
    const idlest = this.workers.reduce((a, b) => (b.load < a.load ? b : a));
    return idlest.run(raw, envelopeFrom);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

/** One worker thread and its queue: one message in it at a time, so a timeout names one message. */
class ParseWorker {
  private worker: Worker | null = null;
  private ready = false;
  private readonly queue: Job[] = [];
  private current: Job | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sent = 0;

  constructor(
    private readonly settings: MailSettings,
    private readonly logger: Logger,
  ) {}

  get load(): number {
    return this.queue.length + (this.current ? 1 : 0);
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
    this.fail(new AppError(503, 'parse_unavailable', 'the mail receiver is stopping; try again later'));
    for (const job of this.queue.splice(0)) job.reject(new AppError(503, 'parse_unavailable', 'the mail receiver is stopping; try again later'));
    await worker?.terminate();
  }

  private next(): void {
    if (this.current || !this.queue.length) return;
    const job = this.queue.shift()!;
    this.current = job;
    const worker = this.thread();
    this.startClock();
    const request: ParseRequest = { id: ++this.sent, raw: job.raw, envelopeFrom: job.envelopeFrom };
    worker.postMessage(request);
  }

  /** The current message's time budget: parseTimeoutMs from now, or from when a starting worker is ready. */
  private startClock(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = this.ready
      ? setTimeout(() => this.timedOut(), this.settings.smtp.parseTimeoutMs)
      : setTimeout(() => this.restart(new AppError(503, 'parse_unavailable', 'the message parser did not start; try again later')), STARTUP_MS);
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnParseWorker(this.settings);
    this.ready = false;
    worker.unref(); // an app that is not stopped must not be kept alive by its parser
    // A worker that was stopped may still have a reply on its way: only the current worker's count.
    worker.on('message', (reply: ParseReply) => {
      if (this.worker === worker) this.replied(reply);
    });
    worker.on('error', (err) => {
      if (this.worker !== worker) return;
      this.logger.error({ err }, 'a mail parse worker failed');
      this.restart(new AppError(503, 'parse_unavailable', 'the message parser failed; try again later'));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.restart(new AppError(503, 'parse_unavailable', `the message parser stopped (exit ${code}); try again later`));
    });
    this.worker = worker;
    return worker;
  }

  private replied(reply: ParseReply): void {
    if ('ready' in reply) {
      this.ready = true;
      if (this.current) this.startClock();
      return;
    }
    if (!this.current || reply.id !== this.sent) return; // not the message in flight: nothing waits for it
    const job = this.take()!;
    if ('prepared' in reply) job.resolve(reply.prepared);
    else job.reject(new AppError(reply.error.status, reply.error.code, reply.error.message));
    this.next();
  }

  private timedOut(): void {
    this.logger.warn({ timeoutMs: this.settings.smtp.parseTimeoutMs }, 'a message took too long to parse: its parse worker was stopped');
    this.restart(new AppError(503, 'parse_timeout', 'the message took too long to parse; try again later'));
  }

  /** Ends the current job with `err`, drops the worker (terminated if still running) and goes on with a fresh one. */
  private restart(err: AppError): void {
    const worker = this.worker;
    this.worker = null;
    void worker?.terminate();
    this.fail(err);
    this.next();
  }

  private fail(err: Error): void {
    this.take()?.reject(err);
  }

  private take(): Job | null {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const job = this.current;
    this.current = null;
    return job;
  }
}
