import { Problem, ProblemTypes, problemTypeUri } from '../../api/problem';
import { fieldErrors, parse } from '../../api/validation';
import { UpdateMyProfileV1 } from '../../domain/messages/commands/update-my-profile.v1';

describe('problem details (RFC 9457)', () => {
  it('every problem type has a distinct stable URI and a status in the right class', () => {
    const uris = Object.keys(ProblemTypes).map((k) => problemTypeUri(k as keyof typeof ProblemTypes));
    expect(new Set(uris).size).toBe(uris.length);
    for (const [kind, { status }] of Object.entries(ProblemTypes)) {
      expect(uris).toContain(`https://partner-access.example/problems/${kind}`);
      expect(status >= 400 && status < 600).toBe(true);
    }
  });

  it('a problem body carries type, title, status, detail, instance and extensions', () => {
    const body = new Problem('conflict', 'Access is already on.', { state: 'ACCESS_ON' }).body('/x');
    expect(body).toEqual({
      type: 'https://partner-access.example/problems/conflict',
      title: ProblemTypes.conflict.title,
      status: 409,
      detail: 'Access is already on.',
      instance: '/x',
      state: 'ACCESS_ON',
    });
  });

  it('401 and 403 are distinct types', () => {
    expect(new Problem('unauthenticated').status).toBe(401);
    expect(new Problem('forbidden').status).toBe(403);
  });
});

describe('validation at the boundary', () => {
  it('an unknown field is reported by its JSON pointer', () => {
    const r = UpdateMyProfileV1.safeParse({ displayName: 'Ann', role: 'ORG_ADMIN' });
    expect(r.success).toBe(false);
    expect(fieldErrors(r.error!)).toContainEqual({ pointer: '/role', message: 'unknown field' });
  });

  it('parse throws a validation-failed problem listing every error', () => {
    expect.assertions(3);
    try {
      parse(UpdateMyProfileV1, { displayName: '   ', extra: 1 }, 'body');
    } catch (err) {
      const p = err as Problem;
      expect(p.kind).toBe('validation-failed');
      expect(p.detail).toMatch(/\/extra unknown field/);
      expect(p.detail).toMatch(/\/displayName must not be blank/);
    }
  });

  it('an empty change is refused', () => {
    expect(UpdateMyProfileV1.safeParse({}).success).toBe(false);
  });
});
