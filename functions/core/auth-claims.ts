/**
 * Roles from identity-provider claims. In the cloud a person signs in with the Cognito user pool;
 * membership of exactly one of the groups `coordinator` / `inspectorate` gives the role. API
 * Gateway's JWT authorizer passes the verified claims to the Lambda as strings, an array claim
 * such as `cognito:groups` rendered as `[coordinator other]`; a decoded ID token carries a real
 * array. Both shapes are accepted here.
 */
import { ForbiddenError } from './errors.ts';
import { type ConsoleRole, consoleRoles } from './session.ts';

export const GROUPS_CLAIM = 'cognito:groups';

/** `["a","b"]`, `"[a b]"`, `"[a, b]"` or `"a"` → ['a', 'b']. */
export function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string') return [];
  const text = value.trim();
  const inner = /^\[(.*)\]$/s.exec(text)?.[1] ?? text;
  if (inner.trim().startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(`[${inner}]`);
      if (Array.isArray(parsed)) return parsed.filter((v): v is string => typeof v === 'string');
    } catch {
      // fall through to the plain split
    }
  }
  return inner.split(/[\s,]+/).filter(Boolean);
}

/**
 * The one role the claims give. No known group, or both groups, is refused: a person works in one
 * role at a time, and guessing which would hand someone the wrong pages.
 */
export function roleFromClaims(claims: Record<string, unknown> | undefined): ConsoleRole {
  const groups = groupsOf(claims?.[GROUPS_CLAIM]);
  const roles = consoleRoles.filter((r) => groups.includes(r));
  if (roles.length === 1 && roles[0]) return roles[0];
  if (roles.length > 1) throw new ForbiddenError('The user is in both the coordinator and the inspectorate group; give them one role');
  throw new ForbiddenError('The user is in neither the coordinator nor the inspectorate group');
}

/** A display name for the audit trail: name, then e-mail, then the username. */
export function displayNameOf(claims: Record<string, unknown>): string {
  for (const key of ['name', 'email', 'cognito:username', 'username', 'sub']) {
    const v = claims[key];
    if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 100);
  }
  return 'okänd';
}
