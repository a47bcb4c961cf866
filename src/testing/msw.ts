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
      return new HttpResponse(response.body, { status: response.status, headers: response.headers });
    }),
  ];
}
