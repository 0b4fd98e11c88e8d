import { pino, type Logger, type DestinationStream } from 'pino';
import { traceFields } from './observability/trace-context.js';

export type { Logger };

/** `auto`: readable lines when stdout is a terminal, JSON lines otherwise (files, log shippers, tests). */
export type LogFormat = 'auto' | 'pretty' | 'json';

export interface LoggerOptions {
  format?: LogFormat;
  /** Where the lines go; stdout unless given (tests pass a stream they read). */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
/** Fields every record has; the line shows them in its own way (or not at all). */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err']);

/** Past this, a value is cut: a line is for reading (the whole record is in JSON mode). */
const MAX_VALUE = 160;

function formatValue(value: unknown): string {
  const text = typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** `HH:MM:SS.mmm LEVEL [plugin] message key=value …`, then an error's stack indented below. */
export function prettyLine(record: Record<string, unknown>, color = false): string {
  const level = Number(record.level);
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : new Date(Number(record.time ?? Date.now())).toISOString().slice(11, 23);
  let label = (LEVELS[level] ?? String(level)).padEnd(5);
  if (color) label = `\x1b[${COLORS[level] ?? '0'}m${label}\x1b[0m`;
  const plugin = typeof record.plugin === 'string' ? `[${record.plugin}] ` : '';
  const fields = Object.entries(record)
    .filter(([key, value]) => !HIDDEN.has(key) && key !== 'plugin' && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  let line = [`${time} ${label} ${plugin}${String(record.msg ?? '')}`, ...fields].join(' ');
  const err = record.err as { message?: string; stack?: string } | undefined;
  if (err) line += `\n    ${(err.stack ?? err.message ?? JSON.stringify(err)).split('\n').join('\n    ')}`;
  return `${line}\n`;
}

/** A pino destination that turns each JSON record into a readable line (pino-pretty is not a dependency). */
function prettyStream(out: NodeJS.WritableStream & { isTTY?: boolean }): DestinationStream {
  // Colour only for a person at a terminal, and never against their wish (https://no-color.org).
  const color = Boolean(out.isTTY) && !process.env.NO_COLOR;
  return {
    write(chunk: string) {
      for (const text of chunk.split('\n')) {
        if (!text) continue;
        let record: Record<string, unknown>;
        try {
          record = JSON.parse(text);
        } catch {
          out.write(`${text}\n`);
          continue;
        }
        out.write(prettyLine(record, color));
      }
    },
  };
}

export function resolveLogFormat(format: LogFormat, out: { isTTY?: boolean }): 'pretty' | 'json' {
  if (format !== 'auto') return format;
  return out.isTTY ? 'pretty' : 'json';
}

/** A destination given explicitly gets JSON (it is a test or a tool reading records); otherwise `options.format` decides. */
export function createLogger(level: string, destination?: DestinationStream, options: LoggerOptions = {}): Logger {
  // Every line logged in a request's (or a traced event's, a run's) work carries its trace_id, span_id and request_id.
  const settings = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, mixin: traceFields };
  if (destination) return pino(settings, destination);
  const out = options.out ?? process.stdout;
  if (resolveLogFormat(options.format ?? 'auto', out) === 'pretty') return pino(settings, prettyStream(out));
  return options.out ? pino(settings, options.out as DestinationStream) : pino(settings);
}
