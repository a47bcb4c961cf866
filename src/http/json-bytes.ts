/**
 * JSON.parse for a response body held as bytes, that never makes one string of a large body.
 *
 * Why: V8 puts every string over 128 KiB in its large-object space, which takes fresh pages from the
 * kernel for each one and hands them back after the next collection. On Linux that costs about 3.5 ms of
 * (mostly system) CPU per MB, against 0.1 ms per MB for a string under the limit: for a page of 100
 * invoices (~400 KB), decoding the body cost more than parsing it. A list page is one object whose `data`
 * array holds the records, so the top-level members and each array element are parsed apart, each from a
 * string of its own size.
 *
 * Anything this reader does not expect (a body that is not one object, a member named `__proto__`, a
 * malformed piece) sends the whole body to JSON.parse instead, which gives the same value or the same error
 * as it always would; the split is an optimisation, never a second opinion on what the JSON means.
 */

/**
 * Bodies up to this size are decoded and parsed whole: their string stays under V8's 128 KiB limit for
 * regular objects (less a string header), and there the one JSON.parse is cheaper than splitting.
 */
export const SPLIT_THRESHOLD_BYTES = 128 * 1024 - 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The reader met something it does not split; the caller parses the body whole. */
const UNSPLIT = Symbol('unsplit');

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipWhitespace(bytes: Uint8Array, from: number): number {
  let i = from;
  while (i < bytes.length && isWhitespace(bytes[i]!)) i++;
  return i;
}

/** The index just past the string that opens at `from` (a quote), or UNSPLIT if it never closes. */
function stringEnd(bytes: Uint8Array, from: number): number | typeof UNSPLIT {
  for (let i = from + 1; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === BACKSLASH) i++;
    else if (byte === QUOTE) return i + 1;
  }
  return UNSPLIT;
}

/**
 * The index just past the value that starts at `from`. Brackets are only counted, not matched: a
 * mismatch inside the value is left for JSON.parse of the piece to reject.
 */
function valueEnd(bytes: Uint8Array, from: number): number | typeof UNSPLIT {
  const first = bytes[from];
  if (first === QUOTE) return stringEnd(bytes, from);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let i = from; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === QUOTE) {
        const end = stringEnd(bytes, i);
        if (end === UNSPLIT) return UNSPLIT;
        i = end - 1;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        depth++;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return UNSPLIT;
  }
  // A number, true, false or null: it runs to the next delimiter.
  let i = from;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isWhitespace(byte)) break;
    i++;
  }
  return i > from ? i : UNSPLIT;
}

function parsePiece(bytes: Buffer, start: number, end: number): unknown {
  return JSON.parse(bytes.toString('utf8', start, end));
}

/** How far into the next element a learnt separator reaches: enough to tell `},{"id":"in_` from `},{"id":"il_`. */
const SEPARATOR_REACH = 24;
/** Boundaries between objects the byte scan reads before the separator is learnt from them. */
const BOUNDARIES_TO_LEARN = 3;

/**
 * Bytes every boundary between the array's objects starts with: the closing brace, the comma and any
 * whitespace, the next opening brace, and as much of the next element as every boundary seen shares (the
 * same first key and the start of its value, such as `},{"id":"in_`: a boundary between nested objects,
 * such as an invoice's lines, then looks different). `start` is where the next element begins in it.
 */
interface Separator {
  readonly bytes: Buffer;
  readonly start: number;
}

/** The bytes from an element's closing brace up to `reach` bytes into the next one. */
function boundaryAt(bytes: Buffer, closingBrace: number, nextStart: number): Buffer {
  return bytes.subarray(closingBrace, Math.min(bytes.length, nextStart + SEPARATOR_REACH));
}

/** What every boundary seen so far shares, as a separator; undefined unless it holds a whole `}`...`{`. */
function learnSeparator(boundaries: readonly Buffer[], start: number): Separator | undefined {
  const first = boundaries[0]!;
  let length = first.length;
  for (const other of boundaries) {
    length = Math.min(length, other.length);
    for (let k = 0; k < length; k++) {
      if (other[k] !== first[k]) {
        length = k;
        break;
      }
    }
  }
  return length > start ? { bytes: Buffer.from(first.subarray(0, length)), start } : undefined;
}

/**
 * The object element that starts at `from`, found by searching for the separator instead of scanning
 * every byte. The match is only a candidate: it may lie inside a string or a nested object, or past an
 * element followed by other whitespace. JSON.parse of the piece tells: an object's text is valid only up
 * to its own closing brace, so a piece that parses is exactly the element. Returns the parsed element and
 * where the next one starts, or undefined for the byte scan to decide.
 */
function elementBySeparator(bytes: Buffer, from: number, separator: Separator): [unknown, number] | undefined {
  const match = bytes.indexOf(separator.bytes, from);
  if (match < 0) return undefined;
  try {
    return [parsePiece(bytes, from, match + 1), match + separator.start];
  } catch {
    return undefined;
  }
}

/** An array's elements, each parsed on its own; `from` is at its `[`. Returns the value and the index past it. */
function parseArray(bytes: Buffer, from: number): [unknown[], number] | typeof UNSPLIT {
  const items: unknown[] = [];
  let i = skipWhitespace(bytes, from + 1);
  if (bytes[i] === CLOSE_BRACKET) return [items, i + 1];
  let separator: Separator | undefined;
  // Boundaries between objects read so far, to learn the separator from; undefined once it is learnt or
  // given up. One miss and the array is scanned byte by byte from there: a separator that changes
  // part-way would make each later candidate run on to a far match, a failed JSON.parse every time.
  let boundaries: Buffer[] | undefined = [];
  let boundaryStart = -1;
  for (;;) {
    if (separator && bytes[i] === OPEN_BRACE) {
      const found = elementBySeparator(bytes, i, separator);
      if (found) {
        items.push(found[0]);
        i = found[1];
        continue;
      }
      separator = undefined;
    }
    const end = valueEnd(bytes, i);
    if (end === UNSPLIT) return UNSPLIT;
    items.push(parsePiece(bytes, i, end));
    i = skipWhitespace(bytes, end);
    if (bytes[i] === CLOSE_BRACKET) return [items, i + 1];
    if (bytes[i] !== COMMA) return UNSPLIT;
    i = skipWhitespace(bytes, i + 1);
    if (!boundaries) continue;
    const start = i - (end - 1);
    if (bytes[end - 1] !== CLOSE_BRACE || bytes[i] !== OPEN_BRACE || (boundaryStart >= 0 && start !== boundaryStart)) {
      boundaries = undefined;
      continue;
    }
    boundaryStart = start;
    boundaries.push(boundaryAt(bytes, end - 1, i));
    if (boundaries.length === BOUNDARIES_TO_LEARN) {
      separator = learnSeparator(boundaries, boundaryStart);
      boundaries = undefined;
    }
  }
}

function parseSplit(bytes: Buffer): unknown {
  let i = skipWhitespace(bytes, 0);
  if (bytes[i] !== OPEN_BRACE) return UNSPLIT;
  const result: Record<string, unknown> = {};
  i = skipWhitespace(bytes, i + 1);
  if (bytes[i] === CLOSE_BRACE) return skipWhitespace(bytes, i + 1) === bytes.length ? result : UNSPLIT;
  for (;;) {
    if (bytes[i] !== QUOTE) return UNSPLIT;
    const keyEnd = stringEnd(bytes, i);
    if (keyEnd === UNSPLIT) return UNSPLIT;
    const key = parsePiece(bytes, i, keyEnd) as string;
    // JSON.parse makes `__proto__` an own property; an assignment would set the prototype instead.
    if (key === '__proto__') return UNSPLIT;
    i = skipWhitespace(bytes, keyEnd);
    if (bytes[i] !== COLON) return UNSPLIT;
    i = skipWhitespace(bytes, i + 1);
    if (bytes[i] === OPEN_BRACKET) {
      const parsed = parseArray(bytes, i);
      if (parsed === UNSPLIT) return UNSPLIT;
      result[key] = parsed[0];
      i = parsed[1];
    } else {
      const end = valueEnd(bytes, i);
      if (end === UNSPLIT) return UNSPLIT;
      result[key] = parsePiece(bytes, i, end);
      i = end;
    }
    i = skipWhitespace(bytes, i);
    if (bytes[i] === CLOSE_BRACE) return skipWhitespace(bytes, i + 1) === bytes.length ? result : UNSPLIT;
    if (bytes[i] !== COMMA) return UNSPLIT;
    i = skipWhitespace(bytes, i + 1);
  }
}

/**
 * The value of a JSON body held as bytes, or `undefined` when it is not a large object that splits
 * cleanly: then the caller parses the decoded body whole, with its usual error for bad JSON.
 */
export function parseLargeJsonObject(bytes: Buffer): { readonly value: unknown } | undefined {
  if (bytes.length <= SPLIT_THRESHOLD_BYTES) return undefined;
  try {
    const value = parseSplit(bytes);
    return value === UNSPLIT ? undefined : { value };
  } catch {
    return undefined;
  }
}
