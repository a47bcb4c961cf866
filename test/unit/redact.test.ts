import { describe, expect, it } from 'vitest';
import { maskKey, redactSecrets } from '../../src/redact.js';

const KEYS = [
  'sk_test_51KnownSecretKeyABCDEFGHijkl1234',
  'sk_live_51KnownSecretKeyABCDEFGHijkl5678',
  'rk_test_51KnownRestrictedKeyXYZabc9012',
  'rk_live_51KnownRestrictedKeyXYZabc3456',
];

describe('maskKey', () => {
  it("gives Stripe's masked form: prefix and last four", () => {
    expect(maskKey(KEYS[0]!)).toBe('sk_test_****1234');
    expect(maskKey(KEYS[1]!)).toBe('sk_live_****5678');
    expect(maskKey(KEYS[2]!)).toBe('rk_test_****9012');
    expect(maskKey(KEYS[3]!)).toBe('rk_live_****3456');
  });

  it('keeps no more than the last four characters of anything else', () => {
    expect(maskKey('garbage-secret')).toBe('****cret');
  });
});

describe('redactSecrets', () => {
  it.each(KEYS)('masks %s inside longer text', (key) => {
    const texts = [
      key,
      `Invalid API Key provided: ${key}`,
      `Authorization: Bearer ${key}\nnext line`,
      `{"apiKey":"${key}"}`,
      `key=${key}&x=1`,
      `(${key}).`,
      `${key} and again ${key}`,
    ];
    for (const text of texts) {
      const out = redactSecrets(text);
      expect(out).not.toContain(key);
      expect(out).toContain(maskKey(key));
    }
    expect(redactSecrets(`${key} and again ${key}`)).toBe(`${maskKey(key)} and again ${maskKey(key)}`);
  });

  it("leaves Stripe's masked form alone", () => {
    const text = 'Invalid API Key provided: sk_test_****1234';
    expect(redactSecrets(text)).toBe(text);
    expect(redactSecrets('rk_live_********************abcd')).toBe('rk_live_********************abcd');
  });

  it('leaves publishable keys and ordinary ids alone', () => {
    const text = 'pk_test_51KnownPublishableKeyABCDEF pk_live_51KnownPublishableKeyABCDEF cus_9s6XKzkNRiz8i3 acct_1Nv0FGQ9RKHgCVdK';
    expect(redactSecrets(text)).toBe(text);
  });

  it('leaves text without keys unchanged', () => {
    expect(redactSecrets('')).toBe('');
    expect(redactSecrets('nothing to see: sk_test_ alone, task_live_now')).toBe('nothing to see: sk_test_ alone, task_live_now');
  });

  // Regression test (this was a bug, now fixed): KEY_PATTERN is anchored with \b on both sides, so a key glued to a word character is not redacted.
  // URL-encoded text puts a hex digit right before the key ("Bearer%20sk_test_..." has "0sk_test_"), and an
  // escaped newline in JSON puts an "n" there ("\\nsk_live_..."): both pass through redactSecrets unchanged,
  // e.g. redactSecrets('url?auth=Bearer%20sk_test_51KnownSecretKeyABCDEFGHijkl1234') returns its input.
  it('masks a key glued to a preceding word character (URL-encoded or JSON-escaped text)', () => {
    for (const key of KEYS) {
      expect(redactSecrets(`url?auth=Bearer%20${key}`)).not.toContain(key);
      expect(redactSecrets(JSON.stringify(`line\n${key}`))).not.toContain(key);
    }
  });

  // Regression test (this was a bug, now fixed): the trailing \b also fails when the key is followed by "_" (a word character): the regex backtracks
  // and finds no boundary inside the run, so 'sk_live_51KnownSecretKeyABCDEFGHijkl5678_backup' is not masked at all.
  it('masks a key followed by an underscore', () => {
    expect(redactSecrets(`${KEYS[1]}_backup`)).not.toContain(KEYS[1]);
  });
});
