import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { randomToken, sha256 } from 'plinth/plugin';

const TTL_MS = 5 * 60_000;

/** An object with its keys in code-unit order (not `localeCompare`: ICU collation, slow, and varying with the locale data). */
const withSortedKeys = (_key: string, v: unknown) =>
  v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 1
    ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v;

/** An array index's form: such keys come first in any object, in numeric order, whatever the sort. */
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * The same text as `JSON.stringify(args, withSortedKeys)` for the usual call, whose arguments are
 * strings, numbers, booleans and nulls under plain keys, without a replacer call per value; null
 * for anything else.
 */
function flatSortedJson(args: Record<string, unknown>): string | null {
  let json = '';
  for (const key of Object.keys(args).sort()) {
    const v = args[key];
    if (!(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) || INDEX_KEY.test(key)) return null;
    json += `${json ? ',' : '{'}${JSON.stringify(key)}:${JSON.stringify(v)}`;
  }
  return json ? `${json}}` : '{}';
}

/** The sha256 of a tool's arguments, keys sorted, so the same call digests the same on every instance. */
export const argsDigest = (args: Record<string, unknown>): string => sha256(flatSortedJson(args) ?? JSON.stringify(args, withSortedKeys));

export interface Confirmable {
  tenantId: string;
  keyId: string;
  tool: string;
  digest: string;
}

export interface ConfirmationsDeps {
  db: Knex;
  clock: Clock;
}

/** Confirmation tokens for destructive tools: bound to key, tool and arguments, short-lived, single use. */
export class Confirmations {
  constructor(private readonly deps: ConfirmationsDeps) {}

  async issue(c: Confirmable): Promise<{ token: string; expiresAt: string }> {
    const token = randomToken();
    const expiresAt = new Date(this.deps.clock.now().getTime() + TTL_MS).toISOString();
    await this.deps.db('agents_confirmations').insert({
      token_hash: sha256(token),
      tenant_id: c.tenantId,
      key_id: c.keyId,
      tool: c.tool,
      args_digest: c.digest,
      expires_at: expiresAt,
    });
    return { token, expiresAt };
  }

  /** Spends the token when it matches this very call; one update, so two racing calls spend it once. */
  async spend(token: string, c: Confirmable): Promise<boolean> {
    const now = this.deps.clock.now().toISOString();
    const spent = await this.deps
      .db('agents_confirmations')
      .where({ token_hash: sha256(token), tenant_id: c.tenantId, key_id: c.keyId, tool: c.tool, args_digest: c.digest })
      .whereNull('used_at')
      .where('expires_at', '>', now)
      .update({ used_at: now });
    return spent === 1;
  }
}
