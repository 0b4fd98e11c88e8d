// idle-rss: VmRSS of the Plinth process once it has sat idle past server.reduceHeapAfterIdleSeconds
// (30 by default), no load: what `ps` shows for a server at rest. The starts run side by side.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FigureModule } from '../lib/context.js';
import { startPlinth } from '../lib/plinth.js';
import { rssMb } from '../lib/process.js';
import { standalone } from '../lib/results.js';

/**
 * The default idle period, plus two check steps (5 s each) and a margin: the period starts at the
 * first quiet step after listening, which three servers booting side by side on a slow machine delay.
 */
const SETTLE_MS = 45_000;

export const idleRss: FigureModule = {
  name: 'idle-rss',
  async run(ctx) {
    const starts = await Promise.allSettled(Array.from({ length: ctx.settings.runs }, () => startPlinth()));
    const servers = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const samples: number[] = [];
    try {
      const failed = starts.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason; // the servers that did start are stopped below
      await sleep(SETTLE_MS);
      for (const plinth of servers) samples.push(rssMb(plinth.pid));
    } finally {
      await Promise.all(servers.map((plinth) => plinth.stop()));
    }
    samples.forEach((mb, i) => ctx.log(`  idle rss ${i + 1}/${ctx.settings.runs}: ${mb.toFixed(1)} MB`));
    return [standalone('idle-rss', 'MB', samples, { target: { on: 'value', op: '<=', limit: 150 }, note: `VmRSS ${SETTLE_MS / 1000} s after boot, no load` })];
  },
};
