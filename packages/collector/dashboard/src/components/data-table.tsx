import type { ComponentChildren } from 'preact';
import { useId, useMemo, useState } from 'preact/hooks';
import { type Group, type SortDirection, sortGroups } from '../rows.js';

export interface Column<Line> {
  key: string;
  label: string;
  /** A longer explanation of the header (shown as its tooltip and read by screen readers). */
  help?: string;
  /** Numbers: right-aligned, and sorted biggest first on the first press. */
  numeric?: boolean;
  text: (line: Line) => string;
  /** The raw value: what sorting compares, and the cell's `data-value`. */
  value: (line: Line) => string | number | null;
  /**
   * Sort a group by the column's sum over its rows (counts split by currency), not by its first
   * row's value.
   */
  summed?: boolean;
}

interface Props<Line> {
  caption: string;
  columns: Column<Line>[];
  groups: Group<Line>[];
  /** The column sorted by at first (the API's order when absent). */
  initialSort?: { key: string; direction: SortDirection };
  /** Shown instead of the table when there are no rows. */
  empty: ComponentChildren;
  /** Controls shown beside the caption (filters, CSV download). */
  tools?: ComponentChildren;
  /** A dimmed row: a second currency of the group above. */
  continuation?: (line: Line) => boolean;
  id?: string;
}

/**
 * A sortable table of grouped rows. Each header is a button (keyboard-usable) and the column's
 * state is announced with `aria-sort`; the table scrolls sideways in its own focusable region on
 * narrow screens.
 */
export function DataTable<Line>({
  caption,
  columns,
  groups,
  initialSort,
  empty,
  tools,
  continuation,
  id,
}: Props<Line>) {
  const captionId = useId();
  const [sort, setSort] = useState(initialSort ?? null);
  const sorted = useMemo(() => {
    const column = sort && columns.find((c) => c.key === sort.key);
    if (!sort || !column) return groups;
    const value = (rows: readonly Line[]) => {
      if (column.summed) return rows.reduce((total, r) => total + Number(column.value(r) ?? 0), 0);
      return rows[0] === undefined ? null : column.value(rows[0]);
    };
    return sortGroups(groups, value, sort.direction);
  }, [groups, columns, sort]);

  const press = (column: Column<Line>) =>
    setSort((current) => ({
      key: column.key,
      direction:
        current?.key === column.key
          ? current.direction === 'ascending'
            ? 'descending'
            : 'ascending'
          : column.numeric
            ? 'descending'
            : 'ascending',
    }));

  return (
    <div class="table-block" id={id}>
      <div class="table-head">
        <h3 id={captionId}>{caption}</h3>
        {tools}
      </div>
      {groups.length === 0 ? (
        <div class="empty">{empty}</div>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it
        <section class="table-wrap" aria-labelledby={captionId} tabIndex={0}>
          <table aria-labelledby={captionId}>
            <thead>
              <tr>
                {columns.map((column) => (
                  <th
                    key={column.key}
                    scope="col"
                    class={column.numeric ? 'num' : undefined}
                    aria-sort={sort?.key === column.key ? sort.direction : undefined}
                    title={column.help}
                  >
                    <button type="button" class="sort" onClick={() => press(column)}>
                      {column.label}
                      <span class="sort-mark" aria-hidden="true">
                        {sort?.key === column.key ? (sort.direction === 'ascending' ? '▲' : '▼') : ''}
                      </span>
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {sorted.flatMap((group) =>
                group.rows.map((line, i) => (
                  <tr key={`${group.key}\u0000${i}`} class={continuation?.(line) ? 'continuation' : undefined}>
                    {columns.map((column) => {
                      const value = column.value(line);
                      return (
                        <td
                          key={column.key}
                          class={column.numeric ? 'num' : undefined}
                          data-col={column.key}
                          data-value={value === null ? '' : String(value)}
                        >
                          {column.text(line)}
                        </td>
                      );
                    })}
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
