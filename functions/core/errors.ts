/**
 * Typed domain errors. The HTTP layer narrows them once (functions/http/errors.ts) and maps them
 * to statuses; Step Functions matches them by class name. Nothing else inspects error messages.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'validation_failed';
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

export class ConflictError extends DomainError {
  readonly code = 'conflict';
}

export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}

/** No contact of the organiser can receive an invitation (no board, school chief or rektor). */
export class NoRecipientsError extends DomainError {
  readonly code = 'no_recipients';
}

export class InvalidTransitionError extends DomainError {
  readonly code = 'invalid_transition';
}

/** A request body over what the service accepts (API Gateway's own limit answers the same 413). */
export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
  constructor(
    readonly maxBytes: number,
    message = `The request body is too large (at most ${Math.round(maxBytes / 1024)} KB)`,
  ) {
    super(message);
  }
}
