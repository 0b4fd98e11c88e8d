import v8 from 'node:v8';
import vm from 'node:vm';

type Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * One memory-reducing full collection (V8's last-resort flavour: compacts, and shrinks the young
 * generation), at the end of boot when `server.compactHeapAfterBoot` asks for it. Loading the
 * plugins' modules grows V8's young generation to its largest, and Node runs none of the idle-time
 * collections that would shrink it, so an idle server keeps boot's heap (figures in
 * docs/performance.md, idle RSS). Under load the young generation grows back only as far as the load's
 * survivors push it, and until then scavenges come more often: a little more CPU a request,
 * hence not the default. `gc` is exposed only for this call:
 * contexts made later do not get it.
 */
export function compactHeap(): void {
  v8.setFlagsFromString('--expose-gc');
  let gc: Gc | undefined;
  try {
    gc = vm.runInNewContext('typeof gc === "function" ? gc : undefined') as Gc | undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  // A runtime that ignores the flag leaves the heap as it is: a start never fails over memory it could not give back.
  gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
