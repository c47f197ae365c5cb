/** Domain errors: what went wrong, in terms a caller can act on. The HTTP layer maps each to a status. */

/** Base class: a stable machine-readable code, a message that says what to fix, optional details. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The named thing does not exist (404). */
export class NotFoundError extends DomainError {
  constructor(what: string, id: string | number, hint?: string) {
    super('not_found', `${what} ${id} does not exist${hint ? `: ${hint}` : ''}`);
  }
}

/** The request conflicts with the current state (409): duplicate id, stale version, reused key. */
export class ConflictError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, message, details);
  }
}

/** The request is well-formed but does not fit the campaign or the data (422). */
export class InvalidError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, message, details);
  }
}

/** The request itself is malformed (400): bad JSON, bad CSV, schema violations. */
export class BadRequestError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, message, details);
  }
}

/** No valid credentials (401). */
export class UnauthorizedError extends DomainError {
  constructor(message = 'missing or invalid bearer token: send "Authorization: Bearer <token>"') {
    super('unauthorized', message);
  }
}

/** Valid credentials, but the role may not do this (403). */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** The body is larger than the cap for this route (413). */
export class PayloadTooLargeError extends DomainError {
  constructor(limitBytes: number) {
    super('payload_too_large', `request body exceeds the limit of ${limitBytes} bytes`);
  }
}

/** The body's content type is not one this route accepts (415). */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(got: string | undefined, accepted: string[]) {
    super('unsupported_media_type', `content type ${got ?? '(none)'} is not accepted here; send ${accepted.join(' or ')}`);
  }
}

/** The caller holds too many of a limited resource at once (429): event streams, queued jobs. */
export class TooManyRequestsError extends DomainError {
  constructor(code: string, message: string, readonly retryAfterSeconds?: number) {
    super(code, message);
  }
}

/** The service cannot do this now within its budget (503): the engine is saturated or the work ran past its time. */
export class ServiceUnavailableError extends DomainError {
  constructor(code: string, message: string, readonly retryAfterSeconds?: number) {
    super(code, message);
  }
}
