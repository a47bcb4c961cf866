import { describe, expect, it } from 'vitest';
import { redactRedisUrl, redactSecrets } from '../../src/redact.js';

// Runs without Redis: the shared rate limit's URL may carry a password, which no output may show.
describe('Redis URL passwords', () => {
  it.each([
    ['redis://:hunter2@127.0.0.1:6379/0', 'redis://:****@127.0.0.1:6379/0'],
    ['redis://default:hunter2@redis.internal:6379', 'redis://default:****@redis.internal:6379'],
    ['rediss://user:p%40ss@cache.example.com:6380', 'rediss://user:****@cache.example.com:6380'],
    ['REDIS://u:with@at@host/1', 'REDIS://u:****@host/1'],
    ['connect failed (redis://:hunter2@10.0.0.5:6379): ECONNREFUSED', 'connect failed (redis://:****@10.0.0.5:6379): ECONNREFUSED'],
  ])('masks the password in %s', (text, masked) => {
    expect(redactSecrets(text)).toBe(masked);
  });

  it('leaves URLs without a password alone', () => {
    for (const text of ['redis://127.0.0.1:6379', 'redis://cache:6379/2 and mail@example.com', 'rediss://host']) expect(redactSecrets(text)).toBe(text);
  });

  it('masks keys and passwords in one text', () => {
    expect(redactSecrets('sk_test_51AbcdefghIJKLmnop1234 via redis://:hunter2@h:1')).toBe('sk_test_****1234 via redis://:****@h:1');
  });

  it('redactRedisUrl shows a URL with its password masked', () => {
    expect(redactRedisUrl('redis://user:hunter2@h:6379/0')).toBe('redis://user:****@h:6379/0');
    expect(redactRedisUrl('redis://h:6379')).toBe('redis://h:6379');
    expect(redactRedisUrl('not a url redis://:hunter2@h')).not.toContain('hunter2');
  });
});
