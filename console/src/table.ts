// A data table that is usable from the keyboard: one row is in the tab order at a time;
// ↑/↓ (or k/j) move between rows, Home/End jump, Enter opens the row. Rows open on click too.
// On a narrow screen, columns marked `narrow: false` are hidden and the table scrolls sideways.
import { h } from './dom.js';
import { go } from './nav.js';

export interface Column<T> {
  readonly title: string;
  readonly cell: (row: T) => Node | string | number;
  readonly num?: boolean;
  /** false: hidden on a phone-width screen. */
  readonly narrow?: boolean;
  readonly title2?: string;
}

export interface Table<T> {
  readonly el: HTMLElement;
  append(rows: readonly T[]): void;
  focusFirst(): void;
}

export function dataTable<T>(opts: {
  readonly label: string;
  readonly columns: readonly Column<T>[];
  readonly rows: readonly T[];
  readonly href?: (row: T) => string;
  readonly onOpen?: (row: T, tr: HTMLTableRowElement) => void;
  readonly rowClass?: (row: T) => string;
}): Table<T> {
  const cls = (c: Column<T>) => [c.num ? 'num' : '', c.narrow === false ? 'wide-only' : ''].filter(Boolean).join(' ');
  const tbody = h('tbody');
  const table = h('table.data', { 'aria-label': opts.label },
    h('thead', h('tr', opts.columns.map((c) => h('th', { scope: 'col', class: cls(c), title: c.title2 }, c.title)))), tbody);
  const open = (row: T, tr: HTMLTableRowElement) => {
    if (opts.onOpen) opts.onOpen(row, tr);
    else if (opts.href) go(opts.href(row));
  };
  const add = (rows: readonly T[]) => {
    for (const row of rows) {
      const tr = h('tr', { tabIndex: tbody.rows.length === 0 ? 0 : -1, class: opts.rowClass?.(row) },
        opts.columns.map((c) => h('td', { class: cls(c) }, c.cell(row))));
      tr.addEventListener('click', (e) => {
        if ((e.target as Element).closest('a, button, input, select')) return;
        open(row, tr);
      });
      tr.addEventListener('keydown', (e) => {
        if (e.target !== tr) return;
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open(row, tr);
        }
      });
      tbody.append(tr);
    }
  };
  tbody.addEventListener('keydown', (e) => {
    const tr = (e.target as Element).closest('tr');
    if (!tr || e.target !== tr) return;
    const rows = [...tbody.rows];
    const i = rows.indexOf(tr as HTMLTableRowElement);
    const to = { ArrowDown: i + 1, j: i + 1, ArrowUp: i - 1, k: i - 1, Home: 0, End: rows.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = rows[Math.max(0, Math.min(rows.length - 1, to))];
    if (!next) return;
    tr.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  });
  add(opts.rows);
  return {
    el: h('div.table-wrap', table),
    append: add,
    focusFirst: () => tbody.rows[0]?.focus(),
  };
}
