import { configJsonSchema } from '../protocol-config.js';
import type { AirbyteMessage } from './messages.js';

export const DOCUMENTATION_URL = 'https://github.com/stripe-source/stripe-source/blob/main/docs/integrations.md';

/** `spec`: the config's JSON Schema, and the sync modes this source serves. */
export function specMessage(): AirbyteMessage {
  return {
    type: 'SPEC',
    spec: {
      documentationUrl: DOCUMENTATION_URL,
      connectionSpecification: configJsonSchema(),
      supportsIncremental: true,
      supported_destination_sync_modes: ['overwrite', 'append', 'append_dedup'],
    },
  };
}
