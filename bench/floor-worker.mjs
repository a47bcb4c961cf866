/**
 * A floor for scenario (d): the fewest CPU microseconds per record a client of this shape could spend on
 * the same data. `node:http` with a keep-alive agent, bodies gathered as Buffers and parsed by the
 * library's own piecewise parser (`dist/internal/json-bytes.js`), every top-level list paged by one cursor,
 * all lists at once, each page's children asked for at once: exactly the records and requests the library
 * delivers, without its planning, checkpoints, throttle, retries or stripe-node. Forked by floor.mjs.
 *
 * Argument: JSON `{ url, apiKey, units, paths }` (`units` from the fake's `truth`, `paths` each stream's list path).
 * Sends one `{ type: 'result' }`.
 */
import http from 'node:http';
import { parseLargeJsonObject } from '../dist/internal/json-bytes.js';
import { CHILDREN } from './catalog.mjs';

const job = JSON.parse(process.argv[2]);
process.on('disconnect', () => process.exit(1));
const url = new URL(job.url);
if (url.hostname !== '127.0.0.1') throw new Error(`the floor only talks to 127.0.0.1, not ${url.hostname}`);
const agent = new http.Agent({ keepAlive: true });
let records = 0;

function get(path) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, path, agent, headers: { authorization: `Bearer ${job.apiKey}` } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        if (response.statusCode !== 200) return reject(new Error(`GET ${path}: ${response.statusCode} ${body.toString('utf8', 0, 200)}`));
        resolve((parseLargeJsonObject(body) ?? { value: JSON.parse(body.toString('utf8')) }).value);
      });
    });
    request.on('error', reject);
    request.end();
  });
}

const query = (params) => Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

async function list(path, params, onPage) {
  let after;
  for (;;) {
    const page = await get(`${path}?${query({ limit: 100, ...params, ...(after ? { starting_after: after } : {}) })}`);
    await onPage(page.data);
    if (!page.has_more) return;
    after = page.data[page.data.length - 1].id;
  }
}

/** One parent's children past what it embeds (as the baseline reads them), counted. */
async function children(name, parent) {
  const info = CHILDREN[name];
  const embedded = info.embedded ? parent[info.embedded] : null;
  if (embedded) records += embedded.data.length;
  if (info.skipWhenNull && parent[info.skipWhenNull] === null) return;
  if (embedded && !embedded.has_more) return;
  const path = info.endpoint.replace('{id}', parent.id);
  const params = {
    ...(path === info.endpoint ? { [info.parentField]: parent.id } : {}),
    ...(embedded ? { starting_after: embedded.data[embedded.data.length - 1].id } : {}),
  };
  await list(path, params, (data) => void (records += data.length));
}

const cpuStart = process.cpuUsage();
const started = performance.now();
let error = null;
try {
  await Promise.all(job.units.map((unit) => list(job.paths[unit.stream], unit.params ?? {}, async (data) => {
    if (unit.deliver) records += data.length;
    await Promise.all(data.flatMap((parent) => unit.children.map((name) => children(name, parent))));
  })));
} catch (e) {
  error = String(e?.stack ?? e);
}
const cpu = process.cpuUsage(cpuStart);
process.send({ type: 'result', records, cpuMicros: cpu.user + cpu.system, seconds: (performance.now() - started) / 1000, error }, () => process.exit(0));
