// A token's campaign scope: how it reads in the token list, and the create request the form yields.
import type { Id, Role, TokenCreate } from '../../api/types.js';

export type ScopeMode = 'all' | 'some';

/** "All campaigns", or the campaign names (an id whose campaign is gone as "#7"). */
export function scopeSummary(campaigns: Id[] | null, namesById: ReadonlyMap<Id, string>): string {
  if (campaigns === null) return 'All campaigns';
  if (campaigns.length === 0) return 'No campaigns';
  return campaigns.map((id) => namesById.get(id) ?? `#${id}`).join(', ');
}

/** Admin tokens manage the whole service and cannot be scoped. */
export function canScope(role: Role): boolean {
  return role !== 'admin';
}

/** The POST /api/tokens body, or why the form cannot be sent. */
export function tokenCreateOf(name: string, role: Role, mode: ScopeMode, selected: readonly Id[]): { ok: true; input: TokenCreate } | { ok: false; message: string } {
  const trimmed = name.trim();
  if (trimmed === '') return { ok: false, message: 'Give the token a name' };
  if (!canScope(role) || mode === 'all') return { ok: true, input: { name: trimmed, role } };
  if (selected.length === 0) return { ok: false, message: 'Choose at least one campaign, or allow all campaigns' };
  return { ok: true, input: { name: trimmed, role, campaigns: [...new Set(selected)].sort((a, b) => a - b) } };
}
