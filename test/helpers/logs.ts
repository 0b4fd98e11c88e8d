// A real pino logger (core/logger.ts) whose JSON lines a test reads back, to assert what was logged.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../core/logger.js';

export type LogLine = Record<string, any>;

/** A logger at `level` whose lines land, parsed, in `lines`. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}
