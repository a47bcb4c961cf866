/**
 * The objects of one stream, kept sorted so a list page costs O(log n + limit) even at a million objects.
 *
 * Rows are in ascending (created, seq) order; lists read them backwards (newest first). `seq` is a counter
 * unique across the fake, so objects created in the same second still have one fixed order: the one
 * inserted last comes first. A row's position is found by binary search on that key, which also works
 * for a row that has been deleted since (its key is kept), so a cursor on a deleted object still pages.
 */

/** Own fields of an object on top of its stream's template. Never mutated once the row is published. */
export type Fields = Readonly<Record<string, unknown>>;

export interface Row {
  readonly id: string;
  /** Sort key: the object's `created` (its parent's for children without one). */
  readonly created: number;
  /** Tie-breaker: insertion sequence, unique across the fake. */
  readonly seq: number;
  fields: Fields;
  /** The parent object's id, for child streams. */
  readonly parentId?: string;
}

/** The key of a row: a present row, or one that was removed (kept for cursors). */
export type RowKey = Pick<Row, 'created' | 'seq'>;

/** Index of the first row whose key is >= (created, seq). */
export function lowerBound(rows: readonly RowKey[], created: number, seq: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const row = rows[mid] as RowKey;
    if (row.created < created || (row.created === created && row.seq < seq)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function compareRows(a: RowKey, b: RowKey): number {
  return a.created - b.created || a.seq - b.seq;
}

export class Collection {
  /** Ascending by (created, seq). */
  readonly rows: Row[] = [];
  private readonly byId = new Map<string, Row>();
  private readonly removed = new Map<string, Row>();
  /** Child streams: each parent's rows, ascending by (created, seq). */
  private readonly byParent = new Map<string, Row[]>();

  get size(): number {
    return this.rows.length;
  }

  get(id: string): Row | undefined {
    return this.byId.get(id);
  }

  /** A present row, or the key a removed one had. */
  cursor(id: string): Row | undefined {
    return this.byId.get(id) ?? this.removed.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id) || this.removed.has(id);
  }

  children(parentId: string): readonly Row[] {
    return this.byParent.get(parentId) ?? [];
  }

  /** Appends during bulk generation; `sortAll()` restores order afterwards. */
  push(row: Row): void {
    this.rows.push(row);
    this.byId.set(row.id, row);
    if (row.parentId !== undefined) {
      const siblings = this.byParent.get(row.parentId);
      if (siblings) siblings.push(row);
      else this.byParent.set(row.parentId, [row]);
    }
  }

  /** After bulk generation: rows were pushed per parent, not in key order. Cheap when already sorted. */
  sortAll(): void {
    if (this.byId.size !== this.rows.length) {
      throw new Error('generated the same id twice'); // see Store.newId: in practice never
    }
    this.rows.sort(compareRows);
    for (const siblings of this.byParent.values()) siblings.sort(compareRows);
  }

  /** Restores one parent's child order after bulk generation pushed them out of order. */
  sortChildren(parentId: string): void {
    this.byParent.get(parentId)?.sort(compareRows);
  }

  /** Inserts one row in key order. */
  insert(row: Row): void {
    this.rows.splice(lowerBound(this.rows, row.created, row.seq), 0, row);
    this.byId.set(row.id, row);
    if (row.parentId !== undefined) {
      const siblings = this.byParent.get(row.parentId) ?? [];
      siblings.splice(lowerBound(siblings, row.created, row.seq), 0, row);
      this.byParent.set(row.parentId, siblings);
    }
  }

  remove(id: string): Row | undefined {
    const row = this.byId.get(id);
    if (!row) return undefined;
    this.rows.splice(lowerBound(this.rows, row.created, row.seq), 1);
    this.byId.delete(id);
    this.removed.set(id, row);
    if (row.parentId !== undefined) {
      const siblings = this.byParent.get(row.parentId);
      if (siblings) {
        siblings.splice(lowerBound(siblings, row.created, row.seq), 1);
        if (siblings.length === 0) this.byParent.delete(row.parentId);
      }
    }
    return row;
  }
}
