import fc from 'fast-check';
import { parseJsonDocuments } from './json-documents.js';
import { fixtureText } from './testdata/fixtures.js';

describe('parseJsonDocuments', () => {
  it('splits the output of several -c json commands into one document each', () => {
    const text = `${fixtureText('speaker-show-bfd-peers-established.json')}${fixtureText(
      'speaker-show-bgp-summary-established.json',
    )}\n[\n]\n`;
    const result = parseJsonDocuments(text);
    expect(result.ok && result.value.length).toBe(3);
    expect(result.ok && result.value[2]).toEqual([]);
  });

  it('is not fooled by brackets and escaped quotes inside strings', () => {
    expect(parseJsonDocuments('{"a":"}{\\"["}{"b":[1,{"c":"]"}]} 7 "x"')).toEqual({
      ok: true,
      value: [{ a: '}{"[' }, { b: [1, { c: ']' }] }, 7, 'x'],
    });
  });

  it('finds the end of a document whose inner braces also start lines, and of compact ones', () => {
    const text = '{"compact":{"x":1}}\n{\n"a":{\n}\n,"b":"\\n}"\n}\n{\n  "c": 2\n}\n';
    expect(parseJsonDocuments(text)).toEqual({
      ok: true,
      value: [{ compact: { x: 1 } }, { a: {}, b: '\n}' }, { c: 2 }],
    });
  });

  it('reads empty output as no documents', () => {
    expect(parseJsonDocuments(' \n')).toEqual({ ok: true, value: [] });
  });

  it.each(['% Unknown command: show bgp foo json', '{"a":1', '{"a":1}\n% BGP instance not found'])(
    'refuses non-JSON output %j with a message',
    (text) => {
      const result = parseJsonDocuments(text);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toMatch(/JSON/);
    },
  );

  it('round-trips any sequence of JSON documents', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.constantFrom('\n', ' \n', '\n\n'), (docs, separator) => {
        const text = docs.map((doc) => JSON.stringify(doc, null, 2)).join(separator);
        expect(parseJsonDocuments(text)).toEqual({ ok: true, value: JSON.parse(JSON.stringify(docs)) });
      }),
    );
  });
});
