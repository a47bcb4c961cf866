/** msw handlers: everything sent to https://api.stripe.com goes to the fake's `handle()`. */
import { http, HttpResponse, type HttpHandler } from 'msw';
import type { FakeRequest, FakeResponse } from './types.js';

export const STRIPE_API_ORIGIN = 'https://api.stripe.com';

/** Resolves when the client gives up on the request; a request nobody aborts simply stays pending. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function mswHandlers(handle: (request: FakeRequest) => Promise<FakeResponse>): HttpHandler[] {
  return [
    http.all(`${STRIPE_API_ORIGIN}/*`, async ({ request }) => {
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const response = await handle({ method: request.method, url: request.url, headers });
      if (response.fault === 'connection_reset') return HttpResponse.error();
      if (response.fault === 'timeout') {
        await aborted(request.signal);
        return HttpResponse.error();
      }
      if (response.fault === 'hung') {
        // Status, headers and half the body; the rest never comes, until the client gives up.
        const bytes = new TextEncoder().encode(response.body);
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes.subarray(0, Math.floor(bytes.length / 2)));
            void aborted(request.signal).then(() => controller.error(new DOMException('The client gave up.', 'AbortError')));
          },
        });
        return new HttpResponse(body, { status: response.status, headers: response.headers });
      }
      return new HttpResponse(response.body, { status: response.status, headers: response.headers });
    }),
  ];
}
