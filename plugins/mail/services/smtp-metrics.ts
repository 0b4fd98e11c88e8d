import type { Counter, Histogram } from 'prom-client';
import { BYTES_BUCKETS, type Metrics } from 'plinth/plugin';

/** The SMTP receiver's metric families (on the instance's registry; the receiver records them). */
export interface SmtpMetrics {
  /** Connections: accepted, or refused at connect (421: too many from the address). */
  sessions: Counter<'outcome'>;
  /** Messages at the end of DATA, by the reply code sent: 250 stored, 4xx/5xx refused. */
  messages: Counter<'code' | 'outcome'>;
  /** Recipients refused at RCPT, by reply code (550 unknown, 452 too many). */
  recipientsRefused: Counter<'code'>;
  /** Each message's size as received (refused ones too). */
  size: Histogram;
}

export function smtpMetrics(m: Metrics, openSessions: () => number): SmtpMetrics {
  m.gauge({
    name: 'plinth_smtp_sessions_open',
    help: 'SMTP sessions open on this instance',
    collect: (g) => g.set(openSessions()),
  });
  return {
    sessions: m.counter({
      name: 'plinth_smtp_sessions_total',
      help: 'SMTP connections, by outcome (accepted; refused: too many from one address)',
      labels: ['outcome'],
    }),
    messages: m.counter({
      name: 'plinth_smtp_messages_total',
      help: 'Messages at the end of DATA by the reply code sent (250 accepted; 421, 451, 552, 554… refused)',
      labels: ['code', 'outcome'],
    }),
    recipientsRefused: m.counter({ name: 'plinth_smtp_recipients_refused_total', help: 'Recipients refused at RCPT TO, by reply code', labels: ['code'] }),
    size: m.histogram({ name: 'plinth_smtp_message_size_bytes', help: 'Size of each message received over SMTP', buckets: BYTES_BUCKETS }),
  };
}
