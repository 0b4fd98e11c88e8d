// idle-rss: VmRSS of the Plinth process a few seconds after boot, no load.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FigureModule } from '../lib/context.js';
import { startPlinth } from '../lib/plinth.js';
import { rssMb } from '../lib/process.js';
import { standalone } from '../lib/results.js';

const SETTLE_MS = 3000;

export const idleRss: FigureModule = {
  name: 'idle-rss',
  async run(ctx) {
    const samples: number[] = [];
    for (let i = 0; i < ctx.settings.runs; i++) {
      const plinth = await startPlinth();
      try {
        await sleep(SETTLE_MS);
        samples.push(rssMb(plinth.pid));
      } finally {
        await plinth.stop();
      }
      ctx.log(`  idle rss ${i + 1}/${ctx.settings.runs}: ${samples[i].toFixed(1)} MB`);
    }
    return [standalone('idle-rss', 'MB', samples, { target: { on: 'value', op: '<=', limit: 150 }, note: `VmRSS ${SETTLE_MS / 1000} s after boot, no load` })];
  },
};
