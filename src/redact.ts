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

// A Redis URL's password (`redis://:secret@host`, `rediss://user:secret@host`), for the shared rate limit:
// the user name stays readable, the password becomes ****. The password runs to the last `@` before the
// host, since a password may itself hold an `@`.
const REDIS_URL_PASSWORD = /\b(rediss?:\/\/[^:@/\s]*):[^\s/]*@/gi;

export function redactSecrets(text: string): string {
  return text.replace(KEY_PATTERN, (key) => maskKey(key)).replace(REDIS_URL_PASSWORD, '$1:****@');
}

/** A Redis URL fit to show: its password masked, or `redis://...` when it cannot be parsed. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return redactSecrets(url);
  }
}
