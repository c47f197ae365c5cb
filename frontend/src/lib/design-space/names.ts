// The naming rule for parameters and outcomes, shared by the campaign checks (the server applies the same rule).

export const NAME_RULE = 'Name must start with a letter, use letters, digits, _ or - (64 at most), and not be a reserved column name (id, status, …)';

/** A problem with one form field. */
export interface FieldError {
  /** Dotted path of the form field, e.g. "parameters.0.max". */
  field: string;
  message: string;
}

/** Column names the server's CSV formats reserve for themselves. */
const RESERVED_NAMES = new Set(['id', 'sampleId', 'externalId', 'status', 'smiles', 'idempotencyKey', 'source', 'resultId', 'createdAt', 'retracted', 'corrections', 'modelId', 'superseded']);

/** Letters first, then letters, digits, underscore or dash, at most 64 characters, not a reserved CSV column. */
export function isIdentifierLike(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name) && !RESERVED_NAMES.has(name);
}
