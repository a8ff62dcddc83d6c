/**
 * The aggregate changes of one consumer step, folded in memory so each aggregate cell is written
 * once per step however many events touch it. Counters are deltas (a re-attribution subtracts);
 * `visitors` are sketch additions, merged into the stored sketch by the writer.
 */

/** Key columns of each counter table, in primary-key order after `site_id`, and its counters. */
export const COUNTER_TABLES = {
  widget_slots: {
    keys: ['slot', 'kind', 'widget_id', 'campaign', 'sequence'],
    counters: ['instances', 'clicks', 'hovers', 'dismisses'],
  },
  group_slots: { keys: ['slot', 'group_type', 'group_id'], counters: ['started'] },
  credit_slots: {
    keys: [
      'slot',
      'action',
      'kind',
      'widget_id',
      'campaign',
      'sequence',
      'channel',
      'conversation',
      'agent',
      'currency',
      'verified',
    ],
    counters: ['orders', 'value_minor', 'ms_to_order'],
  },
  order_slots: { keys: ['slot', 'currency', 'verified'], counters: ['orders', 'value_minor'] },
  touch_slots: { keys: ['slot', 'action', 'channel', 'verified'], counters: ['orders'] },
  site_slots: { keys: ['slot', 'metric'], counters: ['count'] },
  lift_slots: { keys: ['slot', 'group_key', 'cohort'], counters: ['converters'] },
  lift_orders: { keys: ['slot', 'group_key', 'cohort', 'currency'], counters: ['orders', 'value_minor'] },
} as const;

export type CounterTable = keyof typeof COUNTER_TABLES;
type KeyValue = string | number;
type Cells = Map<string, { key: KeyValue[]; values: number[] }>;

/** Sketch tables: the visitors blob beside the counters of the same cell. */
export const SKETCH_TABLES = {
  group_slots: COUNTER_TABLES.group_slots.keys,
  lift_slots: COUNTER_TABLES.lift_slots.keys,
} as const;
export type SketchTable = keyof typeof SKETCH_TABLES;

/** The value of `key` in `map`, created (and stored) by `create` when absent. */
export function entryOf<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

export class Fold {
  readonly counters = new Map<CounterTable, Cells>();
  readonly sketches = new Map<SketchTable, Map<string, { key: KeyValue[]; members: Set<string> }>>();

  /**
   * Adds `deltas` (by counter name) to a cell of `table`.
   *
   * @example fold.add('widget_slots', [slot, 'popup', 'spring-sale', 'spring', ''], { instances: 1 })
   */
  add(table: CounterTable, key: KeyValue[], deltas: Partial<Record<string, number>>): void {
    const names: readonly string[] = COUNTER_TABLES[table].counters;
    const cells = entryOf(this.counters, table, () => new Map());
    const cell = entryOf(cells, JSON.stringify(key), () => ({ key, values: names.map(() => 0) }));
    for (const [name, delta] of Object.entries(deltas)) {
      const i = names.indexOf(name);
      if (i < 0) throw new Error(`${table} has no counter ${name}`);
      cell.values[i]! += delta ?? 0;
    }
  }

  /** Adds a visitor to the sketch of a cell. */
  addVisitor(table: SketchTable, key: KeyValue[], visitorId: string): void {
    const cells = entryOf(this.sketches, table, () => new Map());
    const cell = entryOf(cells, JSON.stringify(key), () => ({ key, members: new Set<string>() }));
    cell.members.add(visitorId);
  }

  /** Cells whose counters all net to zero are dropped: they would write nothing. */
  changedCells(table: CounterTable): { key: KeyValue[]; values: number[] }[] {
    return [...(this.counters.get(table)?.values() ?? [])].filter((c) => c.values.some((v) => v !== 0));
  }

  get isEmpty(): boolean {
    return (
      [...this.counters.keys()].every((t) => this.changedCells(t).length === 0) &&
      [...this.sketches.values()].every((cells) => cells.size === 0)
    );
  }
}
