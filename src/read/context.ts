import type { SourceEmitter } from '../events.js';
import type { StripeHttp } from '../http/client.js';

/** What every reader needs: the throttled client, the event emitter, and the read's abort signal. */
export interface ReadContext {
  readonly http: StripeHttp;
  readonly events: SourceEmitter;
  readonly signal: AbortSignal;
}
