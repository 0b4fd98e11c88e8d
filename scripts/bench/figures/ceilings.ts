// Measures, on their own, the ceilings no figure of this run compared against, so every run
// prints every ceiling; each with the same runner as the figures (repeated until its runs agree).
// Runs last.
import { allCeilings } from '../ceilings/index.js';
import { rounds } from '../lib/autocannon.js';
import type { FigureModule } from '../lib/context.js';

export const ceilingsOnly: FigureModule = {
  name: 'ceilings',
  async run(ctx) {
    for (const ceiling of allCeilings) {
      if (ctx.hasCeiling(ceiling.name)) continue;
      ctx.log(`ceiling ${ceiling.name}: ${ceiling.describe}`);
      const server = await ceiling.start();
      try {
        await ceiling.warmup(server, ctx.settings);
        const [samples] = await rounds(
          ctx.settings,
          [{ label: `${ceiling.name} (${ceiling.unit})`, run: () => ceiling.measure(server, ctx.settings) }],
          ctx.log,
        );
        ctx.recordCeiling(ceiling, samples);
      } finally {
        await server.stop();
      }
    }
    return []; // index.ts prints and saves every recorded ceiling
  },
};
