export { StripeSource, type WorkPlan } from './source.js';
export { WORK_UNIT_VERSION, type WorkUnit } from './plan/units.js';
export type { StripeSourceOptions } from './config.js';
export {
  StripeSourceError,
  ConfigError,
  AuthenticationError,
  PermissionError,
  RateLimitError,
  StripeApiError,
  CheckpointError,
  ExpiredCursorError,
  type StripeSourceErrorOptions,
} from './errors.js';
export { STREAM_NAMES, REMOVED_STREAMS, type StreamDefinition, type ChildLink, type ChangeStrategy } from './catalog/streams.js';
export { CHECKPOINT_VERSION, type CheckpointWindow, type PartitionState, type StreamState, type ChangesState, type ResyncState } from './checkpoint/schema.js';
export type {
  Checkpoint,
  CheckpointMessage,
  CatalogEntry,
  CheckResult,
  DeleteMessage,
  JsonSchema,
  JsonValue,
  KeyKind,
  Message,
  Mode,
  ReadOptions,
  RecordMessage,
  ResyncMessage,
  SourceEvents,
  StreamAccess,
  StreamName,
  StreamProgress,
  StreamRecordTypes,
} from './types.js';
