import { spawn } from 'node:child_process';
import { AppError } from '../errors.js';
import { CoreErrors } from '../core-errors.js';

/**
 * PostgreSQL's own tools, which back up and restore what knex cannot describe (sequences, indexes,
 * constraints, every type) in one consistent snapshot: pg_dump in its custom format, pg_restore.
 * The password travels in PGPASSWORD, not on the command line other users can read in `ps`.
 */
export async function pgDump(url: string, out: string): Promise<void> {
  await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', '--file', out], url);
}

/** Restores a custom-format dump into the (empty) database of `url`, all or nothing. */
export async function pgRestore(url: string, dump: string): Promise<void> {
  await run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', dump], url);
}

/** `pg_dump (PostgreSQL) 15.20` → `15.20`, or null when the tool is not on the PATH. */
export async function toolVersion(tool: 'pg_dump' | 'pg_restore'): Promise<string | null> {
  try {
    const out = await capture(tool, ['--version'], process.env);
    return /\d+(\.\d+)+/.exec(out)?.[0] ?? out.trim();
  } catch (err) {
    if (err instanceof AppError && err.code === 'tool_missing') return null;
    throw err;
  }
}

function run(tool: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<string> {
  const target = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env, PGPASSWORD: decodeURIComponent(target.password) || process.env.PGPASSWORD };
  target.password = '';
  return capture(tool, [...args, '--dbname', target.toString()], env);
}

function capture(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.once('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return reject(e);
      reject(CoreErrors.toolMissing(tool));
    });
    child.once('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${tool} failed (exit ${code}): ${err.trim().split('\n').slice(-5).join(' / ') || 'no message'}`));
    });
  });
}
