// Issue 13, an OpenAPI contract that holds: the document's patterns are standard JSON Schema regex (no
// `u` flag, no \p{..}), so tools outside JavaScript can use them, and they say what the validators do.
import { allRoutes, openApiDocument, type ApiDeps } from '../../api/app';
import { TicketKinds } from '../../events/inbound/support-tickets';
import { PersonName } from '../../domain/messages/values/person';
import { EmailAddress } from '../../domain/messages/values/invitation';
import { UpdateMyProfileV1 } from '../../domain/messages/commands/update-my-profile.v1';

// The routes only keep their dependencies for later: the document needs none of them to be real.
const deps = new Proxy({ checks: [], ticketKinds: new TicketKinds() } as Record<string, unknown>, {
  get: (target, key: string) => target[key] ?? {},
}) as unknown as ApiDeps;
const doc = openApiDocument(allRoutes(deps)) as unknown as { components: { schemas: Record<string, any> } };

function patternsIn(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => patternsIn(n, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'pattern' && typeof value === 'string') found.add(value);
      else patternsIn(value, found);
    }
  }
  return found;
}

const codePoints = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));
// Every character up to U+02FF (C0, C1, Latin-1 and its spaces), other spaces, and astral ones.
const characters = [
  ...codePoints(0, 0x2ff),
  ...['\u1680', '\u2000', '\u2028', '\u202f', '\u3000', '\ufeff', 'ß', 'Ж', '名', '😀', '\u{10ffff}', '\ud800'],
];
const samples = [
  '',
  ' ',
  'Ann',
  'Zoë Ñúñez',
  '  x  ',
  'a@b.co',
  'A.B+c@Example.ORG',
  'a@b',
  '@b.co',
  'a b@c.de',
  ...characters,
  ...characters.map((c) => `a${c}b`),
];

describe('Issue 13 OpenAPI patterns', () => {
  const patterns = [...patternsIn(doc)];

  it('Issue 13 contract: every pattern compiles without the u flag, has no \\p{..}, and matches as with it', () => {
    expect(patterns.length).toBeGreaterThan(3);
    for (const pattern of patterns) {
      expect({ pattern, unicodeProperty: /\\[pP]\{/.test(pattern) }).toEqual({ pattern, unicodeProperty: false });
      const plain = new RegExp(pattern);
      const unicode = new RegExp(pattern, 'u');
      const differ = samples.filter((s) => plain.test(s) !== unicode.test(s));
      expect({ pattern, differ }).toEqual({ pattern, differ: [] });
    }
  });

  it('Issue 13 contract: a name is valid in the document exactly when the validator takes it as written', () => {
    const { pattern } = doc.components.schemas.UpdateMyProfileV1.properties.displayName;
    const documented = new RegExp(pattern);
    const Cc = /^[^\p{Cc}]*$/u; // what the validator refused before the pattern was spelled out
    // Names as clients send them: nothing trim() would remove, so the validator sees what the document does.
    const asWritten = samples.filter((s) => s === s.trim());
    const differ = asWritten.filter((s) => documented.test(s) !== PersonName.safeParse(s).success);
    expect(differ).toEqual([]);
    const changed = asWritten.filter((s) => PersonName.safeParse(s).success !== (s.length > 0 && Cc.test(s)));
    expect(changed).toEqual([]);
    expect(['', ' ', '\u00a0 '].filter((s) => documented.test(s))).toEqual([]);
  });

  it('Issue 13 contract: the document refuses "" as an email, and takes every address the validator takes', () => {
    const email = doc.components.schemas.EmailAddress;
    expect(email).toMatchObject({ type: 'string', format: 'email', maxLength: 254 });
    const documented = new RegExp(email.pattern);
    expect(['', ' ', 'a', 'a@b', '@b.co', 'a b@c.de'].filter((s) => documented.test(s))).toEqual([]);
    const taken = samples.filter((s) => s === s.trim() && EmailAddress.safeParse(s).success);
    expect(taken).toEqual(expect.arrayContaining(['a@b.co', 'A.B+c@Example.ORG']));
    expect(taken.filter((s) => !documented.test(s))).toEqual([]);
  });

  it('Issue 13 contract: PATCH /me with no field is refused, and the document says minProperties 1', () => {
    expect(doc.components.schemas.UpdateMyProfileV1.minProperties).toBe(1);
    expect(UpdateMyProfileV1.safeParse({}).success).toBe(false);
    expect(UpdateMyProfileV1.safeParse({ firmName: null }).success).toBe(true);
  });
});
