import { COUNTER_TABLES, type CounterTable, type Fold, SKETCH_TABLES, type SketchTable } from './fold.js';
import { Sketch } from './sketch.js';

/** Rows per bulk statement: one JSON parameter stays far below D1's 2 MB value limit. */
const ROWS_PER_STATEMENT = 500;

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * One upsert per table (per 500 cells) adding the fold's deltas: the cells travel as one JSON
 * parameter, since D1 binds at most 100 parameters per statement.
 */
function counterStatements(db: D1Database, siteId: string, fold: Fold, table: CounterTable): D1PreparedStatement[] {
  const { keys, counters } = COUNTER_TABLES[table];
  const cells = fold.changedCells(table);
  if (cells.length === 0) return [];
  const columns = [...keys, ...counters];
  const select = columns.map((_, i) => `j.value->>${i}`).join(', ');
  const set = counters.map((c) => `${c} = ${c} + excluded.${c}`).join(', ');
  const sql = `insert into ${table} (site_id, ${columns.join(', ')}) select ?1, ${select} from json_each(?2) j where true
    on conflict (site_id, ${keys.join(', ')}) do update set ${set}`;
  return chunks(cells, ROWS_PER_STATEMENT).map((part) =>
    db.prepare(sql).bind(siteId, JSON.stringify(part.map((c) => [...c.key, ...c.values]))),
  );
}

/** The stored sketches of the cells a fold adds visitors to (one statement per table). */
export function sketchReads(
  db: D1Database,
  siteId: string,
  fold: Fold,
): { table: SketchTable; statement: D1PreparedStatement }[] {
  return [...fold.sketches.entries()]
    .filter(([, cells]) => cells.size > 0)
    .map(([table, cells]) => {
      const keys = SKETCH_TABLES[table];
      const tuple = keys.map((_, i) => `j.value->>${i}`).join(', ');
      const sql = `select ${keys.join(', ')}, visitors from ${table}
        where site_id = ?1 and (${keys.join(', ')}) in (select ${tuple} from json_each(?2) j)`;
      return {
        table,
        statement: db.prepare(sql).bind(siteId, JSON.stringify([...cells.values()].map((c) => c.key))),
      };
    });
}

/** Stored sketches by table and cell key, as `sketchReads` answered them. */
export type StoredSketches = Map<SketchTable, Map<string, Uint8Array>>;

export function storedSketches(
  reads: { table: SketchTable }[],
  results: D1Result<Record<string, unknown>>[],
): StoredSketches {
  const stored: StoredSketches = new Map();
  reads.forEach(({ table }, i) => {
    const keys = SKETCH_TABLES[table];
    const cells = new Map<string, Uint8Array>();
    for (const row of results[i]?.results ?? []) {
      if (row.visitors == null) continue;
      cells.set(JSON.stringify(keys.map((k) => row[k])), new Uint8Array(row.visitors as ArrayLike<number>));
    }
    stored.set(table, cells);
  });
  return stored;
}

/** One upsert per changed sketch cell: the stored sketch with the fold's visitors merged in. */
function sketchStatements(db: D1Database, siteId: string, fold: Fold, stored: StoredSketches): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  for (const [table, cells] of fold.sketches) {
    const keys = SKETCH_TABLES[table];
    const marks = keys.map((_, i) => `?${i + 2}`).join(', ');
    const sql = `insert into ${table} (site_id, ${keys.join(', ')}, visitors) values (?1, ${marks}, ?${keys.length + 2})
      on conflict (site_id, ${keys.join(', ')}) do update set visitors = excluded.visitors`;
    for (const [id, cell] of cells) {
      const before = stored.get(table)?.get(id);
      const sketch = before ? Sketch.fromBytes(before) : new Sketch();
      for (const member of cell.members) sketch.add(member);
      const after = sketch.toBytes();
      // Visitors already in the sketch change nothing: no write.
      if (before && sameBytes(before, after)) continue;
      statements.push(db.prepare(sql).bind(siteId, ...cell.key, after));
    }
  }
  return statements;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Every statement that applies a fold: counters first, then sketches. */
export function foldStatements(
  db: D1Database,
  siteId: string,
  fold: Fold,
  stored: StoredSketches,
): D1PreparedStatement[] {
  const tables = Object.keys(COUNTER_TABLES) as CounterTable[];
  return [
    ...tables.flatMap((t) => counterStatements(db, siteId, fold, t)),
    ...sketchStatements(db, siteId, fold, stored),
  ];
}
