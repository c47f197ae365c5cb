// The "ask for a batch" form as data: raw field text in, a checked API request (or the problems) out.
import type { SuggestionRequest } from '../../api/types.js';

export type PoolChoice = 'default' | 'pool' | 'space';

export interface SuggestionFormFields {
  count: string;
  strategy: string;
  pool: PoolChoice;
  seed: string;
}

export type SuggestionFormCheck = { ok: true; request: SuggestionRequest } | { ok: false; errors: Partial<Record<keyof SuggestionFormFields, string>> };

/** Checks the fields: count an integer 1–1000, seed empty or an integer 0–2³¹−1; builds the request body. */
export function suggestionRequestOf(fields: SuggestionFormFields): SuggestionFormCheck {
  const errors: Partial<Record<keyof SuggestionFormFields, string>> = {};
  const count = Number(fields.count.trim());
  if (fields.count.trim() === '' || !Number.isInteger(count) || count < 1 || count > 1000) errors.count = 'Ask for 1 to 1000 experiments';
  const seedText = fields.seed.trim();
  const seed = Number(seedText);
  if (seedText !== '' && (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1)) errors.seed = 'The seed is a whole number from 0 to 2147483647';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const request: SuggestionRequest = { count };
  if (fields.strategy.trim() !== '') request.strategy = fields.strategy.trim();
  if (fields.pool !== 'default') request.pool = fields.pool === 'pool';
  if (seedText !== '') request.seed = seed;
  return { ok: true, request };
}
