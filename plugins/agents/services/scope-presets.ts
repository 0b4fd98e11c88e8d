/** A ready-made choice of scopes for an agent's credential (an OAuth consent, or an API key for an agent). */
export interface ScopePreset {
  id: 'read_only' | 'everything';
  label: string;
  scopes: string[];
}

const isPlatform = (s: string) => s.startsWith('platform:');

/**
 * The presets over the scopes a person holds (already cut to their role, scope limit and plan):
 * read-only — every `:read` scope, so only read-only tools appear; everything my plan allows —
 * every scope held. Never a platform scope. (Calling tools at all also needs the plan's `agents`
 * feature, which is the tenant's, not a scope to choose.)
 */
export function scopePresets(held: readonly string[]): ScopePreset[] {
  const usable = [...new Set(held.filter((s) => !isPlatform(s)))].sort();
  return [
    { id: 'read_only', label: 'Read-only', scopes: usable.filter((s) => s.endsWith(':read')) },
    { id: 'everything', label: 'Everything my plan allows', scopes: usable },
  ];
}
