import { describe, expect, it } from 'vitest';
import { parseLargeJsonObject, SPLIT_THRESHOLD_BYTES } from '../../src/http/json-bytes.js';
import { Rng } from '../../src/testing/random.js';

/** The fake's seeded generator, so a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  const random = new Rng(seed);
  return () => random.next();
}

// Characters that stress a byte scanner: quotes and backslashes (escaped by JSON.stringify), brackets and
// commas inside strings, control characters, two-, three- and four-byte UTF-8.
const ALPHABET = ['a', 'Z', '0', ' ', '"', '\\', '\\"', '{', '}', '[', ']', ',', ':', '\n', '\t', '\u0001', 'é', '€', '日本', '😀', '\u2028'];

function randomString(next: () => number): string {
  const length = Math.floor(next() * 12);
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

function randomValue(next: () => number, depth: number): unknown {
  const kind = Math.floor(next() * (depth > 3 ? 6 : 8));
  switch (kind) {
    case 0: return randomString(next);
    case 1: return Math.floor(next() * 2 ** 40) - 2 ** 39;
    case 2: return (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
    case 3: return next() < 0.5;
    case 4: return null;
    case 5: return '';
    case 6: return Array.from({ length: Math.floor(next() * 5) }, () => randomValue(next, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 6); i > 0; i--) o[randomString(next) || 'k'] = randomValue(next, depth + 1);
      return o;
    }
  }
}

/** A Stripe-like list envelope over the threshold: `data` holds objects, other members are anything. */
function randomBody(seed: number): unknown {
  const next = rng(seed);
  const data: unknown[] = [];
  let size = 0;
  while (size <= SPLIT_THRESHOLD_BYTES * 1.2) {
    const item = { id: `obj_${data.length}`, object: 'thing', created: 1_700_000_000 + data.length, payload: randomValue(next, 0), text: randomString(next).repeat(50) };
    size += JSON.stringify(item).length;
    data.push(item);
  }
  return { object: 'list', extra: randomValue(next, 0), data, has_more: next() < 0.5, empty: [], url: '/v1/things' };
}

function bytesOf(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

describe('parseLargeJsonObject', () => {
  it('gives what JSON.parse gives, for random bodies compact and pretty-printed', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const body = randomBody(seed);
      for (const text of [JSON.stringify(body), JSON.stringify(body, null, 2), ` \r\n\t${JSON.stringify(body, null, '\t')}\n`]) {
        const split = parseLargeJsonObject(bytesOf(text));
        expect(split, `seed ${seed}`).toBeDefined();
        expect(split!.value, `seed ${seed}`).toStrictEqual(JSON.parse(text));
        // The members come in the order of the body, as JSON.parse gives them.
        expect(Object.keys(split!.value as object)).toStrictEqual(Object.keys(JSON.parse(text) as object));
      }
    }
  });

  it('keeps JSON.parse\'s value for repeated members (the last one) and their first place', () => {
    const text = `{"a":1,"data":[${'{"x":"y"},'.repeat(20_000)}{}],"a":2}`;
    const split = parseLargeJsonObject(bytesOf(text));
    expect(split!.value).toStrictEqual(JSON.parse(text));
    expect(Object.keys(split!.value as object)).toStrictEqual(['a', 'data']);
  });

  it('finds each element however the separator between them is hidden or varied', () => {
    // The separator learnt from the first two elements (`},{`) also appears inside strings and nested
    // objects, and some elements are set apart by other whitespace: each must still come out whole.
    const element = (i: number): string => [
      `{"id":"a${i}","note":"},{ inside a string },{"}`,
      `{"id":"b${i}","nested":[{"x":1},{"y":2}],"deeper":{"list":[{},{}]}}`,
      `{"id":"c${i}","escaped":"\\"},{\\""}`,
      `{"id":"d${i}"}`,
    ][i % 4]!;
    const separators = ['},{', '},{', '},{', '} , {', '},\n    {', '},{'];
    let body = '{"object":"list","data":[';
    for (let i = 0; i < 4_000; i++) body += (i === 0 ? '' : separators[i % separators.length]!.slice(1, -1)) + element(i);
    body += '],"has_more":false}';
    expect(parseLargeJsonObject(bytesOf(body))!.value).toStrictEqual(JSON.parse(body));
    // And when the body is pretty-printed, as Stripe sends it.
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    expect(parseLargeJsonObject(bytesOf(pretty))!.value).toStrictEqual(JSON.parse(pretty));
  });

  it('keeps what JSON.parse makes of numbers and bytes that JSON.stringify never writes', () => {
    const items = '{"id":"a","n":-0,"big":12345678901234567890123,"inf":1e400,"tiny":-1e-400,"e":1E+2},'.repeat(4_000);
    const text = `{"data":[${items}{}],"top":-0,"huge":1e400}`;
    const split = parseLargeJsonObject(bytesOf(text))!.value as { data: Array<{ n: number; inf: number; tiny: number }>; top: number; huge: number };
    expect(split).toStrictEqual(JSON.parse(text));
    expect(Object.is(split.top, -0)).toBe(true);
    expect(Object.is(split.data[0]!.n, -0)).toBe(true);
    expect(Object.is(split.data[0]!.tiny, -0)).toBe(true);
    expect(split.huge).toBe(Infinity);
    // Bytes that are not UTF-8 inside strings come out as U+FFFD, as when the body is decoded whole.
    const broken = Buffer.concat([
      Buffer.from('{"data":['),
      ...Array.from({ length: 8_000 }, (_, i) => Buffer.concat([Buffer.from(`{"id":"x${i}","s":"`), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('"},')])),
      Buffer.from('{}]}'),
    ]);
    expect(broken.length).toBeGreaterThan(SPLIT_THRESHOLD_BYTES);
    expect(parseLargeJsonObject(broken)!.value).toStrictEqual(JSON.parse(broken.toString('utf8')));
  });

  it('finds each element when the learnt separator also opens objects nested in them', () => {
    // The first elements teach the separator `},{"id":"in_`; from the fourth on, every element holds a
    // nested list whose objects start the same way, so the search's first match falls inside it.
    const element = (i: number): string => i < 4
      ? `{"id":"in_${i}","amount":${i}}`
      : `{"id":"in_${i}","children":[{"id":"in_c${i}","n":1},{"id":"in_d${i}","n":2}],"amount":${i}}`;
    const text = `{"object":"list","data":[${Array.from({ length: 3_000 }, (_, i) => element(i)).join(',')}],"has_more":true}`;
    expect(parseLargeJsonObject(bytesOf(text))!.value).toStrictEqual(JSON.parse(text));
    const pretty = JSON.stringify(JSON.parse(text), null, 2);
    expect(parseLargeJsonObject(bytesOf(pretty))!.value).toStrictEqual(JSON.parse(pretty));
  });

  it('leaves bodies up to the threshold to the caller', () => {
    const small = bytesOf(JSON.stringify({ object: 'list', data: [{ id: 'x' }], has_more: false }));
    expect(parseLargeJsonObject(small)).toBeUndefined();
    const padding = 'x'.repeat(SPLIT_THRESHOLD_BYTES - 8);
    const atLimit = bytesOf(`{"p":"${padding}"}`);
    expect(atLimit.length).toBe(SPLIT_THRESHOLD_BYTES);
    expect(parseLargeJsonObject(atLimit)).toBeUndefined();
    const over = bytesOf(`{"p":"${padding}x"}`);
    expect(parseLargeJsonObject(over)?.value).toStrictEqual({ p: `${padding}x` });
  });

  it('leaves every truncation of a body to JSON.parse, which rejects it', () => {
    const text = JSON.stringify(randomBody(7));
    const next = rng(99);
    const cuts = [1, 2, text.length - 1, text.length - 2, ...Array.from({ length: 200 }, () => Math.floor(next() * text.length))];
    for (const cut of cuts) {
      const bytes = bytesOf(text).subarray(0, Buffer.byteLength(text.slice(0, cut)));
      if (bytes.length <= SPLIT_THRESHOLD_BYTES) continue;
      expect(parseLargeJsonObject(bytes), `cut at ${cut}`).toBeUndefined();
      expect(() => JSON.parse(bytes.toString('utf8'))).toThrow(SyntaxError);
    }
  });

  it('leaves malformed bodies to JSON.parse, whichever part is wrong', () => {
    const items = '{"id":"a","n":[1,2]},'.repeat(8_000);
    const broken = [
      `{"data":[${items}{}]} trailing`, // something after the object
      `{"data":[${items}{}] "has_more":true}`, // a missing comma between members
      `{"data":[${items}{} {}]}`, // a missing comma between elements
      `{"data":[${items}{"id":"a"]}]}`, // brackets that do not match inside an element
      `{"data":[${items}{"id":"a}]}`, // a string that never ends
      `{"data":[${items}{}],}`, // a trailing comma
      `{"data":[${items}],"x":tru}`, // a literal that is not one
      `{"data":[${items}{}],"x":01}`, // a number JSON does not allow
      `{"data":[${items}{}],"x":"\u0001"}`, // a raw control character in a string
      `{"data" [${items}{}]}`, // a missing colon
      `{data:[${items}{}]}`, // a key without quotes
      `\ufeff{"data":[${items}{}]}`, // a byte order mark
    ];
    for (const text of broken) {
      expect(parseLargeJsonObject(bytesOf(text)), text.slice(-40)).toBeUndefined();
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
    }
  });

  it('leaves a body that is not one object (an array, a string) to JSON.parse', () => {
    const items = '{"id":"a"},'.repeat(15_000);
    for (const text of [`[${items}{}]`, JSON.stringify('x'.repeat(SPLIT_THRESHOLD_BYTES))]) {
      expect(parseLargeJsonObject(bytesOf(text))).toBeUndefined();
    }
  });

  it('leaves a member named __proto__ to JSON.parse, which makes it an own property', () => {
    const text = `{"data":[${'{"id":"a"},'.repeat(15_000)}{}],"__proto__":{"polluted":true}}`;
    expect(parseLargeJsonObject(bytesOf(text))).toBeUndefined();
    // Also when the name is written with an escape.
    expect(parseLargeJsonObject(bytesOf(text.replace('"__proto__"', '"\\u005f_proto__"')))).toBeUndefined();
    const whole = JSON.parse(text) as Record<string, unknown>;
    expect(Object.getPrototypeOf(whole)).toBe(Object.prototype);
    expect(Object.hasOwn(whole, '__proto__')).toBe(true);
  });

  it('decodes UTF-8 whose characters fall on any byte, four-byte ones included', () => {
    const text = JSON.stringify({ data: Array.from({ length: 4_000 }, (_, i) => ({ id: `x${i}`, name: '😀é€日本'.repeat(1 + (i % 3)) })) });
    expect(parseLargeJsonObject(bytesOf(text))!.value).toStrictEqual(JSON.parse(text));
  });
});
