// Every ceiling the bench knows. Figures compare against these by name; ones no figure used yet
// are measured on their own (figures/ceilings.ts) so each run prints them all.
import type { Ceiling } from '../lib/context.js';
import { argon2Verify } from './argon2-verify.js';
import { koaHello } from './koa-hello.js';
import { smtpParse } from './smtp-parse.js';
import { sqliteDurableWrite } from './sqlite-durable-write.js';
import { sqliteGroupCommit } from './sqlite-group-commit.js';
import { sqliteRawSelect } from './sqlite-raw-select.js';
import { pgRawSelect } from './pg-raw-select.js';
import { benchDialect } from '../lib/database.js';

/** The raw-driver read the database-bound figures are held against, on the database Plinth runs on. */
export const rawSelect: Ceiling = benchDialect === 'postgres' ? pgRawSelect : sqliteRawSelect;

export { argon2Verify, koaHello, smtpParse, sqliteDurableWrite, sqliteGroupCommit, sqliteRawSelect };
export const allCeilings: Ceiling[] =
  benchDialect === 'postgres'
    ? [koaHello, rawSelect, smtpParse, argon2Verify]
    : [koaHello, rawSelect, sqliteDurableWrite, sqliteGroupCommit, smtpParse, argon2Verify];
