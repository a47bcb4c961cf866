import { EventEmitter } from 'eventemitter3';
import type { SourceEvents } from './types.js';

/** The source's typed event emitter: progress and diagnostics, kept out of the message stream. */
export class SourceEmitter extends EventEmitter<SourceEvents> {}
