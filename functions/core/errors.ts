/**
 * Typed domain errors. Handlers narrow them once (functions/http/respond.ts) and map them to
 * HTTP statuses or Step Functions error names; nothing else inspects error messages.
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
