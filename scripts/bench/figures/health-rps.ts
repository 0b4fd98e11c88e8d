// health-rps: GET /health on Plinth against the bare Koa hello-world, alternating runs.
import { koaHello } from '../ceilings/index.js';
import { alternate, measureHttp, warmupHttp } from '../lib/autocannon.js';
import type { FigureModule } from '../lib/context.js';
import { startPlinth } from '../lib/plinth.js';
import { againstCeiling, ratioTarget } from '../lib/results.js';

export const healthRps: FigureModule = {
  name: 'health-rps',
  async run(ctx) {
    const s = ctx.settings;
    const ceiling = await koaHello.start();
    try {
      const plinth = await startPlinth({ logLevel: 'warn' });
      try {
        const hitHealth = () => measureHttp(plinth, { path: '/health' }, s);
        await koaHello.warmup(ceiling, s);
        await warmupHttp(plinth, { path: '/health' }, s);
        const r = await alternate(s, () => koaHello.measure(ceiling, s), hitHealth, ctx.log, ['koa-hello', 'plinth /health']);
        ctx.recordCeiling(koaHello, r.ceiling);
        return [
          againstCeiling('health-rps', 'req/s', r.subject, koaHello.name, r.ceiling, {
            target: ratioTarget,
            note: `${s.connections} conns, ${s.durationSec} s/run; access logs off (PLINTH_LOG_LEVEL=warn)`,
          }),
        ];
      } finally {
        await plinth.stop();
      }
    } finally {
      await ceiling.stop();
    }
  },
};
