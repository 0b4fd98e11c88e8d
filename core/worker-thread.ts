import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker module `name` (no extension) that sits beside `callerUrl`. Built code runs its
 * .js. Tests run the sources under tsx, whose loader a worker thread does not inherit: there the
 * worker registers it first, then imports the .ts.
 */
export function startWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`${name}.js`, callerUrl), options);
  const entry = JSON.stringify(new URL(`${name}.ts`, callerUrl).href);
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); });`, { ...options, eval: true });
}
