// Child processes for the bench: spawn, wait until ready, read RSS, and stop every one of them
// at the end whatever happened (index.ts calls stopAll in a finally and killAllSync on exit).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A server under test, in its own process, listening on 127.0.0.1. */
export interface RunningServer {
  name: string;
  pid: number;
  port: number;
  url: string;
  stop(): Promise<void>;
}

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  hasExited(): boolean;
  /** The last few KB of stdout + stderr, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Child>();
const OUTPUT_KEEP = 16 * 1024;

/** Env for a child: the parent's, minus anything that would point Plinth at another database, port or config. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PLINTH_|DATABASE_URL$|REDIS_URL$|PORT$|SMTP_PORT$|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export function spawnChild(name: string, command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; stdin?: 'ignore' | 'pipe' }): Child {
  const proc = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error(`${name}: spawn failed`);
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => {
      done = true;
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const child: Child = {
    name,
    proc,
    pid: proc.pid,
    exited,
    hasExited: () => done,
    output: () => out,
    async stop(graceMs = 5000) {
      if (done) return;
      proc.kill('SIGTERM');
      const timer = sleep(graceMs, 'timeout' as const);
      if ((await Promise.race([exited, timer])) === 'timeout' && !done) {
        proc.kill('SIGKILL');
        await Promise.race([exited, sleep(2000)]);
      }
    },
  };
  live.add(child);
  return child;
}

/** Waits for a line on the child's stdout matching `re`; fails if the child exits or the time runs out. */
export function waitForLine(child: Child, re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      child.proc.stdout!.off('data', onData);
      child.proc.off('exit', onExit);
      fn();
    };
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (const line of buffer.split('\n')) {
        const m = line.match(re);
        if (m) return finish(() => resolve(m));
      }
      buffer = buffer.slice(-4096);
    };
    const onExit = () => finish(() => reject(new Error(`${child.name} exited before it was ready:\n${child.output()}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`${child.name} not ready after ${timeoutMs} ms:\n${child.output()}`))), timeoutMs);
    child.proc.stdout!.on('data', onData);
    child.proc.once('exit', onExit);
  });
}

/** One GET on 127.0.0.1 without keep-alive; resolves with the status, or null when nothing answers. */
export function probe(port: number, urlPath: string, timeoutMs = 1000): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? null));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/**
 * Polls GET `urlPath` until it answers `status`; returns performance.now() at that answer.
 * Bounded by `timeoutMs` and by the child exiting.
 */
export async function waitForHttp(
  child: Child,
  port: number,
  urlPath: string,
  options: { timeoutMs: number; intervalMs?: number; status?: number },
): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 5;
  const maxAttempts = Math.ceil(options.timeoutMs / interval) + 1;
  for (let attempt = 0; attempt < maxAttempts && performance.now() < deadline; attempt++) {
    if (child.hasExited()) throw new Error(`${child.name} exited before answering ${urlPath}:\n${child.output()}`);
    const status = await probe(port, urlPath, Math.max(50, Math.min(1000, deadline - performance.now())));
    if (status === (options.status ?? 200)) return performance.now();
    await sleep(interval);
  }
  throw new Error(`${child.name} did not answer ${urlPath} with ${options.status ?? 200} within ${options.timeoutMs} ms:\n${child.output()}`);
}

/** Resident set size of a process in MB, from /proc/<pid>/status (Linux). */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

/** CPU seconds (user + system) in a /proc stat line (a process's or a thread's). */
function statCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux). */
export function cpuSeconds(pid: number): number {
  return statCpuSeconds(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** CPU seconds each of a process's threads has used so far, summed by thread name (/proc/<pid>/task). */
export function cpuSecondsByThread(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // a thread that ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    byName.set(name, (byName.get(name) ?? 0) + statCpuSeconds(stat));
  }
  return byName;
}

/** CPU seconds of every process named postgres on this machine (0 without PostgreSQL). */
export function postgresCpuSeconds(): number {
  let pids: string[] = [];
  try {
    pids = execFileSync('pgrep', ['-x', 'postgres']).toString().trim().split('\n');
  } catch {
    return 0;
  }
  return pids.reduce((sum, pid) => {
    try {
      return sum + cpuSeconds(Number(pid));
    } catch {
      return sum; // a backend that ended meanwhile
    }
  }, 0);
}

/**
 * Waits until a server has worked off what a load run left queued (a load generator stops with
 * requests in flight, and the server still answers them): until its CPU over `windowMs` falls
 * under `busyShare` of it, for at most `maxMs`. So a slow endpoint's backlog (argon2 verifies, a
 * queue of commits) does not spill into the next run, the other side's or its own.
 */
export async function waitIdle(pid: number, options: { maxMs?: number; windowMs?: number; busyShare?: number } = {}): Promise<void> {
  const { maxMs = 10_000, windowMs = 200, busyShare = 0.2 } = options;
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    let before: number;
    try {
      before = cpuSeconds(pid);
    } catch {
      return; // gone
    }
    await sleep(windowMs);
    let after: number;
    try {
      after = cpuSeconds(pid);
    } catch {
      return;
    }
    if ((after - before) * 1000 < windowMs * busyShare) return;
  }
}

/**
 * CPU seconds the whole machine has been busy (every process, every core: user, nice, system, irq,
 * softirq, steal), from /proc/stat: around a run, what the processes the bench cannot see (a local
 * PostgreSQL's backends, other work) used beside the ones it measures.
 */
export function machineBusySeconds(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + (steal || 0)) / CLOCK_TICKS;
}

/** A port that was free a moment ago on 127.0.0.1 (for servers that take their port from the env). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const tempDirs = new Set<string>();

export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plinth-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/**
 * `start()`'s server, whose stop() also runs `release` (run too if the start fails): for a server
 * with a temp dir or a scratch database of its own.
 */
export async function releasingOnStop<S extends { stop(): Promise<void> }>(start: () => Promise<S>, release: () => unknown): Promise<S> {
  let server: S;
  try {
    server = await start();
  } catch (err) {
    await release();
    throw err;
  }
  return {
    ...server,
    stop: async () => {
      await server.stop();
      await release();
    },
  };
}

/** Stops every child still running (in parallel) and removes the temp dirs. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop(3000)));
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

/** Last resort on process exit: SIGKILL whatever is left. */
export function killAllSync(): void {
  for (const c of live) {
    try {
      c.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // best effort at exit
    }
  }
}

/**
 * Runs `node <script>` that listens on 127.0.0.1:0 and prints `READY <port>`; the usual shape of a
 * ceiling server.
 */
export async function startNodeServer(
  name: string,
  script: string,
  env: Record<string, string> = {},
  timeoutMs = 15000,
): Promise<RunningServer & { child: Child }> {
  const child = spawnChild(name, process.execPath, [script], { env: cleanEnv(env) });
  try {
    const m = await waitForLine(child, /^READY (\d+)/, timeoutMs);
    const port = Number(m[1]);
    return { name, pid: child.pid, port, url: `http://127.0.0.1:${port}`, child, stop: () => child.stop() };
  } catch (err) {
    await child.stop();
    throw err;
  }
}
