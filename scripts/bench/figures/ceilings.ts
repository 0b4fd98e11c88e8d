// Measures, on their own, the ceilings no figure of this run compared against, so every run
// prints every ceiling. Runs last.
import { allCeilings } from '../ceilings/index.js';
import type { FigureModule, Measurement } from '../lib/context.js';

export const ceilingsOnly: FigureModule = {
  name: 'ceilings',
  async run(ctx) {
    for (const ceiling of allCeilings) {
      if (ctx.hasCeiling(ceiling.name)) continue;
      ctx.log(`ceiling ${ceiling.name}: ${ceiling.describe}`);
      const server = await ceiling.start();
      try {
        await ceiling.warmup(server, ctx.settings);
        const samples: Measurement[] = [];
        for (let i = 0; i < ctx.settings.runs; i++) {
          const m = await ceiling.measure(server, ctx.settings);
          samples.push(m);
          ctx.log(
            `  run ${i + 1}/${ctx.settings.runs}: ${Math.round(m.value)} ` +
              `${ceiling.unit}${m.cpuUs === null ? '' : ` (cpu µs each: server ${Math.round(m.cpuUs)}, client ${Math.round(m.clientCpuUs ?? 0)})`}`,
          );
        }
        ctx.recordCeiling(ceiling, samples);
      } finally {
        await server.stop();
      }
    }
    return []; // index.ts prints and saves every recorded ceiling
  },
};
