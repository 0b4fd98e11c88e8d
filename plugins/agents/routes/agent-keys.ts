import { AppError } from 'plinth/plugin';
import { actingTenant, requireScope } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import { arrayOf, body, bool, int, isoTime, nullable, reply, str } from 'plinth/plugin';
import type { ApiKeyIssuer } from '../../auth/api.js';
import type { AgentTool } from '../services/tool-catalogue.js';
import type { AgentsErrorCode } from '../api.js';

/** A ready-made set of scopes for an agent's key, computed for the person asking. */
export interface KeyPreset {
  id: 'read_only' | 'everything';
  label: string;
  description: string;
  scopes: string[];
  /** The tools a key with these scopes can call (the meta tools, which any key has, aside). */
  tools: string[];
}

const PRESET_IDS = ['read_only', 'everything'] as const;

/**
 * The presets over the scopes this person holds: the principal's scopes are already cut to their
 * role, scope limit and tenant's plan (auth's strategies), so a preset can hold nothing else. A
 * platform scope (the operator's) is never in one, not even a superadmin's: a key made from the
 * Agents page acts in the tenant.
 */
export function keyPresets(principal: Principal, registered: Iterable<string>, tools: AgentTool[]): KeyPreset[] {
  const held = [...registered].filter((s) => !s.startsWith('platform:') && (principal.scopes === '*' || principal.scopes.includes(s))).sort();
  const toolsOf = (scopes: string[]) =>
    tools
      .filter((t) => scopes.includes(t.scope))
      .map((t) => t.name)
      .sort();
  const read = held.filter((s) => s.endsWith(':read'));
  return [
    {
      id: 'read_only',
      label: 'Read only',
      description: 'Every read scope your plan allows: the agent can look, not change.',
      scopes: read,
      tools: toolsOf(read),
    },
    {
      id: 'everything',
      label: 'Everything my plan allows',
      description: 'Every scope you hold within your plan: the agent can do what you can (changes are dry runs or confirmed).',
      scopes: held,
      tools: toolsOf(held),
    },
  ];
}

const presetReply = reply({ id: { enum: [...PRESET_IDS] }, label: str, description: str, scopes: arrayOf(str), tools: arrayOf(str) });
const presetsReply = reply({ presets: arrayOf(presetReply) });
const agentKeyBody = body(
  {
    name: { type: 'string', minLength: 1, maxLength: 120, pattern: '\\S' },
    preset: { enum: [...PRESET_IDS] },
    expires_in_days: { type: 'integer', minimum: 1, maximum: 3650 },
  },
  ['name', 'preset'],
);
const agentKeyReply = reply({
  id: str,
  name: str,
  key_prefix: str,
  scopes: arrayOf(str),
  user_id: str,
  expires_at: nullable(isoTime),
  created_at: isoTime,
  last_used_at: nullable(isoTime),
  is_active: bool,
  /** The secret, shown this once. */
  raw_key: str,
  preset: { enum: [...PRESET_IDS] },
  tool_count: int,
});

/**
 * A key for an agent in one step, from the Agents page: the presets (computed on the server, for
 * the person asking) and a key made with one, through auth's own key service (the same checks,
 * metering, audit row and event as the API keys page). Anyone who may make API keys may use them.
 */
export function agentKeyRoutes(r: PluginRouter<AgentsErrorCode>, issuer: ApiKeyIssuer, scopes: () => Iterable<string>, tools: () => AgentTool[]): void {
  const guards = [requireScope('api-keys:manage')];
  r.get(
    '/agents/key-presets',
    {
      summary: 'The scope presets for a key for an agent, computed for you (your role, scope limit and plan; never a platform scope)',
      guards,
      schema: { responses: { 200: { description: 'Read only, and everything your plan allows', schema: presetsReply } } },
    },
    async (ctx) => ({ presets: keyPresets(await actingTenant(ctx), scopes(), tools()) }),
  );
  r.post(
    '/agents/keys',
    {
      summary: 'Make an API key for an agent with a preset (the raw key is shown once)',
      guards,
      schema: { body: agentKeyBody, responses: { 201: { description: 'The key, with raw_key shown this once', schema: agentKeyReply } } },
    },
    async (ctx, { body: b }) => {
      const principal = await actingTenant(ctx);
      const preset = keyPresets(principal, scopes(), tools()).find((p) => p.id === b.preset)!;
      if (!preset.scopes.length) {
        throw AppError.validation([
          { path: 'body.preset', message: `the preset "${preset.label}" holds no scope for you: your plan or role allows none of its kind` },
        ]);
      }
      const meta = { ip: ctx.ip, userAgent: ctx.get('User-Agent') };
      const key = await issuer.create(
        principal,
        { name: b.name.trim(), scopes: preset.scopes, ...(b.expires_in_days ? { expires_in_days: b.expires_in_days } : {}) },
        meta,
      );
      ctx.status = 201;
      return { ...key, preset: preset.id, tool_count: preset.tools.length };
    },
  );
}
