// Every ceiling the bench knows. Figures compare against these by name; ones no figure used yet
// are measured on their own (figures/ceilings.ts) so each run prints them all.
import type { Ceiling } from '../lib/context.js';
import { argon2Verify } from './argon2-verify.js';
import { koaHello } from './koa-hello.js';
import { smtpParse } from './smtp-parse.js';
import { sqliteDurableWrite } from './sqlite-durable-write.js';
import { sqliteGroupCommit } from './sqlite-group-commit.js';
import { sqliteRawSelect } from './sqlite-raw-select.js';
import { sqliteRunWrites } from './sqlite-run-writes.js';
import { pgRawSelect } from './pg-raw-select.js';
import { pgDurableWrite } from './pg-durable-write.js';
import { pgGroupCommit, pgRunWrites } from './pg-workers.js';
import { pgSmtpStore } from './pg-smtp-store.js';
import { benchDialect } from '../lib/database.js';
import { measureHttp, warmupHttp } from '../lib/autocannon.js';

const postgres = benchDialect === 'postgres';

/** The raw-driver read the database-bound figures are held against, on the database Plinth runs on. */
export const rawSelect: Ceiling = postgres ? pgRawSelect : sqliteRawSelect;
/**
 * The raw-driver read behind a POST with a JSON body (read and parsed, then the select): for a
 * figure whose request carries one (license verify), so the ceiling does that unavoidable part too.
 */
export function rawSelectWithBody(body: string): Ceiling {
  const request = { path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body };
  return {
    ...rawSelect,
    name: `${rawSelect.name}-post`,
    describe: `${rawSelect.describe}, after reading and parsing a POST's JSON body (${body.length} bytes)`,
    measure: (server, s) => measureHttp(server, request, s),
    warmup: (server, s) => warmupHttp(server, request, s),
  };
}
/** The raw-driver durable transaction (message row + counter + outbox event) the message reports are held against. */
export const durableWrite: Ceiling = postgres ? pgDurableWrite : sqliteDurableWrite;
/** The raw-driver group-committed guarded upserts billing-consume is held against. */
export const groupCommit: Ceiling = postgres ? pgGroupCommit : sqliteGroupCommit;
/** A one-step workflow run's durable writes with the raw driver, the workflow runs figure is held against. */
export const runWrites: Ceiling = postgres ? pgRunWrites : sqliteRunWrites;

export { argon2Verify, koaHello, pgRunWrites, pgSmtpStore, smtpParse, sqliteDurableWrite, sqliteGroupCommit, sqliteRawSelect, sqliteRunWrites };
export const allCeilings: Ceiling[] = postgres
  ? [koaHello, rawSelect, durableWrite, groupCommit, runWrites, smtpParse, pgSmtpStore, argon2Verify]
  : [koaHello, rawSelect, durableWrite, groupCommit, runWrites, smtpParse, argon2Verify];
