// Every ceiling the bench knows. Figures compare against these by name; ones no figure used yet
// are measured on their own (figures/ceilings.ts) so each run prints them all. The raw selects are
// made by their figures, in the shape of the reply each is compared with.
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
import { pgSmtpStore, sqliteSmtpStore } from './smtp-store.js';
import { benchDialect } from '../lib/database.js';

const postgres = benchDialect === 'postgres';

/**
 * The raw-driver read a database-bound figure is held against, on the database Plinth runs on: one
 * select by primary key answering a row shaped as `reply`, a sample of Plinth's own reply to the
 * figure's request (its scalar fields are the columns, its nested ones joined as the row is sent),
 * so both send the same bytes. A POST's JSON body is read and parsed first, the part of the work
 * no server can skip.
 */
export function rawSelect(reply: object, body?: string): Ceiling {
  const [twin, name] = postgres ? [pgRawSelect, 'pg-raw-select'] : [sqliteRawSelect, 'sqlite-raw-select'];
  const what = `a ${JSON.stringify(reply).length}-byte reply of Plinth's shape`;
  if (body === undefined) return twin(name, reply, { path: '/' }, what);
  const request = { path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body };
  return twin(`${name}-post`, reply, request, `${what}, after reading and parsing a POST's JSON body (${body.length} bytes)`);
}
/** The raw-driver durable transaction (message row + counter + outbox event) the message reports are held against. */
export const durableWrite: Ceiling = postgres ? pgDurableWrite : sqliteDurableWrite;
/** The raw-driver group-committed guarded upserts billing-consume is held against. */
export const groupCommit: Ceiling = postgres ? pgGroupCommit : sqliteGroupCommit;
/** A one-step workflow run's durable writes with the raw driver, the workflow runs figure is held against. */
export const runWrites: Ceiling = postgres ? pgRunWrites : sqliteRunWrites;
/** smtp-server + postal-mime storing each message with one durable INSERT through the raw driver: mail ingest's ceiling. */
export const smtpStore: Ceiling = postgres ? pgSmtpStore : sqliteSmtpStore;

export { argon2Verify, koaHello, pgRunWrites, smtpParse, sqliteDurableWrite, sqliteGroupCommit, sqliteRunWrites };
export const allCeilings: Ceiling[] = [koaHello, durableWrite, groupCommit, runWrites, smtpParse, smtpStore, argon2Verify];
