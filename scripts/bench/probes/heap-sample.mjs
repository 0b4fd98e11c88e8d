// Preloaded with --import into a server or a bench worker (BENCH_PLINTH_NODE_ARGS="--import
// ./scripts/bench/probes/heap-sample.mjs"): V8's sampling heap profiler on the main thread, keeping the
// samples of objects already collected, so the profile says what the code allocated, not what is
// still alive. Sampling starts after HEAP_SAMPLE_DELAY_MS (default 0; past the bench's warm-up, say
// 12000), and the profile is written on SIGTERM or at the process's end to
// $HEAP_SAMPLE_DIR/heap-<pid>.heapprofile (default the system's temporary directory), which Chrome
// DevTools' Memory tab opens.
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const session = new inspector.Session();
  session.connect();
  const start = () =>
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  const delay = Number(process.env.HEAP_SAMPLE_DELAY_MS ?? 0);
  if (delay > 0) setTimeout(start, delay).unref();
  else start();

  let written = false;
  /** Stops sampling and writes the profile, once; then `after`. */
  const write = (after = () => {}) => {
    if (written) return after();
    written = true;
    session.post('HeapProfiler.stopSampling', (err, result) => {
      const file = path.join(process.env.HEAP_SAMPLE_DIR ?? os.tmpdir(), `heap-${process.pid}.heapprofile`);
      if (!err) fs.writeFileSync(file, JSON.stringify(result.profile));
      after();
    });
  };
  const exit = process.exit.bind(process);
  process.exit = (code) => write(() => exit(code));
  process.once('beforeExit', () => write());
  // A server stops itself on SIGTERM (its own handler); a process without one is ended here.
  process.prependListener('SIGTERM', () => (process.listenerCount('SIGTERM') > 1 ? write() : write(() => exit(0))));
}
