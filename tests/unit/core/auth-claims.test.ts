import { describe, expect, it } from 'vitest';
import { displayNameOf, groupsOf, roleFromClaims } from '#core/auth-claims.ts';
import { ForbiddenError } from '#core/errors.ts';

describe('groupsOf', () => {
  it.each([
    [['coordinator'], ['coordinator']],
    ['[coordinator]', ['coordinator']],
    ['[coordinator inspectorate]', ['coordinator', 'inspectorate']],
    ['[coordinator, other]', ['coordinator', 'other']],
    ['["coordinator","other"]', ['coordinator', 'other']],
    ['inspectorate', ['inspectorate']],
    [undefined, []],
    [42, []],
  ])('reads %j', (value, expected) => {
    expect(groupsOf(value)).toEqual(expected);
  });
});

describe('roleFromClaims', () => {
  it('gives the one role of the groups, ignoring unrelated groups', () => {
    expect(roleFromClaims({ 'cognito:groups': '[other coordinator]' })).toBe('coordinator');
    expect(roleFromClaims({ 'cognito:groups': ['inspectorate'] })).toBe('inspectorate');
  });

  it('refuses no role, both roles and look-alikes', () => {
    for (const groups of [undefined, '[]', '[coordinator inspectorate]', '[coordinators]', '[Coordinator]']) {
      expect(() => roleFromClaims({ 'cognito:groups': groups })).toThrow(ForbiddenError);
    }
  });
});

describe('displayNameOf', () => {
  it('prefers the name, then the e-mail, then the username', () => {
    expect(displayNameOf({ name: 'Åsa Öberg', email: 'a@example.se' })).toBe('Åsa Öberg');
    expect(displayNameOf({ email: 'a@example.se', 'cognito:username': 'u' })).toBe('a@example.se');
    expect(displayNameOf({ 'cognito:username': 'u' })).toBe('u');
  });
});
