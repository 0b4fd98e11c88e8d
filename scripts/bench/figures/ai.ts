// ai-builtin-replies: replies/s of the builtin responder on a 10,000-entry knowledge base (the
// answer path of a reply, in-process, several callers; target >= 1,000/s).
// ai-reply-overhead: the whole reply to one robot message (decide, limits, context, one call to an
// OpenAI-compatible server that answers at once, call log, queued command), one at a time, p50 and
// p99 in ms (target p99 <= 10 ms); the provider round trip inside it is printed beside.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rounds } from '../lib/autocannon.js';
import type { FigureModule, Measurement } from '../lib/context.js';
import { benchDialect, databaseEnv } from '../lib/database.js';
import { cleanEnv, makeTempDir, removeTempDir, spawnChild, waitForLine } from '../lib/process.js';
import { median, spreadOf, standalone } from '../lib/results.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workers', 'ai.mjs');
const ENTRIES = 10_000;
const MESSAGES = 500;

async function runWorker<T>(args: string[], timeoutMs: number): Promise<T> {
  const dir = makeTempDir('ai');
  const database = await databaseEnv('ai');
  const child = spawnChild('ai-worker', process.execPath, [worker, ...args], {
    env: cleanEnv({ PLINTH_DATA_DIR: dir, NODE_ENV: 'production', ...database.env }),
  });
  try {
    const m = await waitForLine(child, /^RESULT (.+)$/, timeoutMs);
    return JSON.parse(m[1]) as T;
  } finally {
    await child.stop();
    removeTempDir(dir);
    await database.drop();
  }
}

interface Builtin {
  value: number;
  cpuUs: number;
  buildMs: number;
  matchedShare: number;
}
interface Reply {
  p50: number;
  p99: number;
  providerP50: number;
  providerP99: number;
}
/** One run of either kind as the runner sees it: builtin replies/s, or the reply's p99 (p50 and p99 must both settle). */
type AiRun = Measurement & { builtin?: Builtin; reply?: Reply };

export const ai: FigureModule = {
  name: 'ai',
  async run(ctx) {
    const s = ctx.settings;
    const [builtinRuns, replyRuns] = await rounds<AiRun>(
      s,
      [
        {
          label: 'builtin',
          run: async () => {
            const b = await runWorker<Builtin>(['builtin', String(ENTRIES), String(s.durationSec), String(s.connections)], (s.durationSec + 120) * 1000);
            return { value: b.value, cpuUs: b.cpuUs, builtin: b };
          },
          show: ({ builtin: b }) =>
            `${Math.round(b!.value)} replies/s (index built in ${Math.round(b!.buildMs)} ms, ${Math.round(b!.matchedShare * 100)}% ` +
            `answered from the knowledge base)`,
        },
        {
          label: 'reply',
          run: async () => {
            const o = await runWorker<Reply>(['overhead', String(MESSAGES)], 180_000);
            return { value: o.p99, cpuUs: null, reply: o };
          },
          settleOn: ({ reply: o }) => [o!.p50, o!.p99],
          show: ({ reply: o }) =>
            `p50 ${o!.p50.toFixed(2)} ms, p99 ${o!.p99.toFixed(2)} ms (provider round trip p50 ${o!.providerP50} ms, p99 ${o!.providerP99} ms)`,
        },
      ],
      ctx.log,
    );
    const builtin = builtinRuns.map((r) => r.builtin!);
    const overhead = replyRuns.map((r) => r.reply!);
    const med = (xs: number[]) => median(xs);
    const dialect = benchDialect === 'postgres' ? 'PostgreSQL' : 'SQLite, the WAL fsynced before each commit resolves';
    return [
      standalone(
        'ai-builtin-replies',
        'replies/s',
        builtin.map((b) => b.value),
        {
          target: { on: 'value', op: '>=', limit: 1000 },
          cpuUs: med(builtin.map((b) => b.cpuUs)),
          spread: spreadOf(builtin.map((b) => b.value)),
          note:
            `${ENTRIES} entries (index built in ${Math.round(med(builtin.map((b) => b.buildMs)))} ms), ${s.connections} callers, in-process; ` +
            `${Math.round(med(builtin.map((b) => b.matchedShare)) * 100)}% answered from the knowledge base`,
        },
      ),
      standalone(
        'ai-reply-p50',
        'ms',
        overhead.map((o) => o.p50),
        {
          spread: spreadOf(overhead.map((o) => o.p50)),
          note: `${MESSAGES} messages one at a time; provider round trip p50 ${med(overhead.map((o) => o.providerP50))} ms`,
        },
      ),
      standalone(
        'ai-reply-p99',
        'ms',
        overhead.map((o) => o.p99),
        {
          target: { on: 'value', op: '<=', limit: 10 },
          spread: spreadOf(overhead.map((o) => o.p99)),
          note:
            `provider round trip p99 ${med(overhead.map((o) => o.providerP99))} ms; ${dialect}: 2 commits per reply (the daily call with the ` +
            'monthly reply before the call, answered at its COMMIT; the reply after, durable)',
        },
      ),
    ];
  },
};
