// boot-to-listening: spawn `plinth start` until GET /health answers 200. Cold = fresh data dir
// (migrations run); warm = a data dir already migrated. Both with Node's compile cache as a second
// start finds it (they share one cache dir, filled by an unmeasured start); `first` is the first
// start after an install or upgrade, every module compiled (an empty cache dir per run). The
// process's CPU time at that moment is printed too: on a busy machine wall time swings, CPU time
// much less.
import type { FigureModule } from '../lib/context.js';
import { startPlinth, type PlinthOptions } from '../lib/plinth.js';
import { cpuSeconds, makeTempDir, removeTempDir } from '../lib/process.js';
import { median, standalone } from '../lib/results.js';

const TARGET = { on: 'value', op: '<=', limit: 800 } as const;

async function boots(kind: string, runs: number, options: () => PlinthOptions, log: (msg: string) => void) {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const plinth = await startPlinth(options());
    try {
      cpu.push(cpuSeconds(plinth.pid) * 1000);
      wall.push(plinth.bootMs);
    } finally {
      await plinth.stop();
    }
    log(`  ${kind} boot ${i + 1}/${runs}: ${Math.round(wall[i])} ms (process cpu ${Math.round(cpu[i])} ms)`);
  }
  return { wall, cpuNote: `process cpu ${Math.round(median(cpu))} ms` };
}

export const boot: FigureModule = {
  name: 'boot-to-listening',
  async run(ctx) {
    const caches: string[] = [];
    const emptyCompileCache = () => {
      const cache = makeTempDir('compile-cache');
      caches.push(cache);
      return { NODE_COMPILE_CACHE: cache };
    };
    const dir = makeTempDir('warm');
    try {
      const first = await boots('first', ctx.settings.runs, () => ({ env: emptyCompileCache() }), ctx.log);
      const env = emptyCompileCache();
      await (await startPlinth({ dataDir: dir, env })).stop(); // migrates and fills the compile cache
      const cold = await boots('cold', ctx.settings.runs, () => ({ env }), ctx.log);
      const warm = await boots('warm', ctx.settings.runs, () => ({ dataDir: dir, env }), ctx.log);
      return [
        standalone('boot-to-listening', 'ms', cold.wall, { target: TARGET, note: `fresh data dir, migrations run; ${cold.cpuNote}` }),
        standalone('boot-to-listening-warm', 'ms', warm.wall, { target: TARGET, note: `data dir already migrated; ${warm.cpuNote}` }),
        standalone('boot-first-after-install', 'ms', first.wall, { note: `fresh data dir, empty compile cache; ${first.cpuNote}` }),
      ];
    } finally {
      for (const d of [dir, ...caches]) removeTempDir(d);
    }
  },
};
