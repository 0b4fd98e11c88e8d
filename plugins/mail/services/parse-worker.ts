// A parse worker's entry (worker_threads): prepares each message it is sent and posts back what is
// stored of it, or the error as { status, code, message }. Messages wait here in the order sent and
// are parsed one at a time, so replies go back in that order (parse-pool.ts relies on it).
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from 'plinth/plugin/errors';
import type { MailSettings } from '../config.js';
import { mailLibraries, prepareMessage } from './prepare-message.js';
import type { ParseReply, ParseRequest } from './parse-pool.js';

const settings = (workerData as { settings: MailSettings }).settings;

// The pool starts a message's time budget once the parser is loaded, not while the thread boots.
await mailLibraries();
parentPort!.postMessage({ ready: true } satisfies ParseReply);

async function prepare({ id, raw, envelopeFrom }: ParseRequest): Promise<void> {
  let reply: ParseReply;
  try {
    // Bytes arrive as a Uint8Array view; a Buffer over the same memory, no copy.
    reply = { id, prepared: await prepareMessage(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), envelopeFrom, settings) };
  } catch (err) {
    reply =
      err instanceof AppError
        ? { id, error: { status: err.status, code: err.code, message: err.message } }
        : { id, error: { status: 500, code: 'parse_failed', message: err instanceof Error ? err.message : String(err) } };
  }
  parentPort!.postMessage(reply);
}

let parsing = Promise.resolve();
parentPort!.on('message', (request: ParseRequest) => {
  parsing = parsing.then(() => prepare(request));
});
