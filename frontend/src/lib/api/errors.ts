/** An HTTP answer outside 2xx, carrying the server's `{error: {code, message, details}}` when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** True for 404: the resource, or (for endpoints added by later issues) the route itself, is not there. */
  get isNotFound(): boolean {
    return this.status === 404;
  }

  /** True for 409: somebody else saved first (optimistic concurrency on label versions). */
  get isConflict(): boolean {
    return this.status === 409;
  }
}

/** Thrown when the network request itself failed (server down, connection reset). */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

/** Reads the error envelope of a failed response; keeps the raw text when the body is not the JSON envelope. */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text();
  const envelope = parseErrorEnvelope(text);
  if (envelope) return new ApiError(response.status, envelope.code, envelope.message, envelope.details);
  const fallbackMessage = text.trim() === '' ? response.statusText || `HTTP ${response.status}` : text.trim();
  return new ApiError(response.status, `http_${response.status}`, fallbackMessage);
}

interface ErrorEnvelope {
  code: string;
  message: string;
  details?: unknown;
}

/** Parses `{"error":{"code","message","details?"}}`; null when the text is anything else. */
export function parseErrorEnvelope(text: string): ErrorEnvelope | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (parseError) {
    if (parseError instanceof SyntaxError) return null;
    throw parseError;
  }
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message, details } = error as Record<string, unknown>;
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  return { code, message, details };
}

/** Row-level errors the server attaches to a refused CSV/JSON import, if its `details` carries them. */
export interface ServerRowError {
  row: number;
  message: string;
  column?: string;
}

/**
 * Extracts `[{row, message, column?}]` from an error's details: the server's `[{row, issues: [{parameter, message}]}]`
 * (one entry per issue), or flat `[{row|line, message, column|field?}]`, bare or under `rows`/`errors`.
 */
export function rowErrorsFromDetails(details: unknown): ServerRowError[] {
  const candidates = Array.isArray(details)
    ? details
    : typeof details === 'object' && details !== null
      ? ((details as Record<string, unknown>).rows ?? (details as Record<string, unknown>).errors ?? (details as Record<string, unknown>).issues)
      : undefined;
  if (!Array.isArray(candidates)) return [];
  const rowErrors: ServerRowError[] = [];
  for (const candidate of candidates) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const record = candidate as Record<string, unknown>;
    const row = typeof record.row === 'number' ? record.row : typeof record.line === 'number' ? record.line : undefined;
    if (row !== undefined && Array.isArray(record.issues)) {
      for (const issue of record.issues as unknown[]) {
        if (typeof issue !== 'object' || issue === null) continue;
        const { parameter, message } = issue as Record<string, unknown>;
        if (typeof message !== 'string') continue;
        rowErrors.push(typeof parameter === 'string' ? { row, message, column: parameter } : { row, message });
      }
      continue;
    }
    const message = typeof record.message === 'string' ? record.message : undefined;
    if (row === undefined || message === undefined) continue;
    const column = typeof record.column === 'string' ? record.column : typeof record.field === 'string' ? record.field : undefined;
    rowErrors.push(column === undefined ? { row, message } : { row, message, column });
  }
  return rowErrors;
}
