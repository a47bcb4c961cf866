/**
 * The key must never reach an error, event, log, checkpoint or output. Everything the library writes that
 * might carry text from elsewhere (Stripe's messages, a proxy's error page) passes through here.
 */

// Secret and restricted keys: prefix, then a long run of key characters. Stripe's own masked form
// (`sk_test_****1234`) has no such run, so it passes through unchanged. No word boundaries: a key glued to
// other text (`Bearer%20sk_live_...`, `\nsk_live_...` in escaped JSON, `..._backup`) must still be caught.
const KEY_PATTERN = /[sr]k_(?:live|test)_[A-Za-z0-9]{8,}/g;

/** Stripe's masked form of a key: its prefix and last four characters. */
export function maskKey(key: string): string {
  const prefix = /^[a-z]{2}_(?:live|test)_/.exec(key)?.[0] ?? '';
  return `${prefix}****${key.slice(-4)}`;
}

export function redactSecrets(text: string): string {
  return text.replace(KEY_PATTERN, (key) => maskKey(key));
}
