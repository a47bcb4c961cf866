/**
 * Which stream a path belongs to, built from the catalog: list paths, `<path>/<id>` retrievals of
 * top-level streams, and parent-scoped child lists (`/v1/invoices/{id}/lines`).
 */
import { STREAMS, type StreamName } from '../catalog/streams.js';

export type Route =
  | { kind: 'account'; endpoint: string }
  | { kind: 'list'; stream: StreamName; endpoint: string }
  | { kind: 'children'; stream: StreamName; parentId: string; endpoint: string }
  | { kind: 'retrieve'; stream: StreamName; id: string; endpoint: string }
  | { kind: 'unknown'; endpoint: string };

const lists = new Map<string, StreamName>();
const retrievable = new Map<string, StreamName>();
const scoped: { pattern: RegExp; stream: StreamName; endpoint: string }[] = [];

for (const def of STREAMS) {
  if (def.path.includes('{parent}')) {
    const [before, after] = def.path.split('{parent}') as [string, string];
    scoped.push({
      pattern: new RegExp(`^${escape(before)}([^/]+)${escape(after)}$`),
      stream: def.name,
      endpoint: def.path.replace('{parent}', '{id}'),
    });
  } else {
    lists.set(def.path, def.name);
    if (def.parent === undefined) retrievable.set(def.path, def.name);
  }
}

/** A malformed escape (`%zz`) is taken literally, as an id that exists nowhere. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function route(path: string): Route {
  if (path === '/v1/account') return { kind: 'account', endpoint: path };
  const list = lists.get(path);
  if (list) return { kind: 'list', stream: list, endpoint: path };
  for (const { pattern, stream, endpoint } of scoped) {
    const match = pattern.exec(path);
    if (match) return { kind: 'children', stream, parentId: decode(match[1] as string), endpoint };
  }
  const slash = path.lastIndexOf('/');
  const stream = retrievable.get(path.slice(0, slash));
  const id = path.slice(slash + 1);
  if (stream && id !== '') {
    return { kind: 'retrieve', stream, id: decode(id), endpoint: `${path.slice(0, slash)}/{id}` };
  }
  return { kind: 'unknown', endpoint: path };
}
