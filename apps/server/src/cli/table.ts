/**
 * Plain-text tables for CLI output and benchmarks (aligned columns, right-aligned numbers).
 * @public
 */

/** One table: a header row and data rows of already-formatted cells. */
export interface TextTable {
  readonly title?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  readonly footer?: readonly string[];
}

/** Formats a number with fixed decimals, or '—' when undefined/NaN. */
export function fixed(value: number | undefined, digits = 1): string {
  return value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
}

/** Renders a table with `|` separators (Markdown-compatible, so it can be pasted into notes). */
export function renderTable(table: TextTable): string {
  const cells = [table.columns.map(String), ...table.rows.map((row) => row.map(String))];
  const widths = table.columns.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  const numeric = table.columns.map((_, c) => table.rows.length > 0 && table.rows.every((row) => /^[-+]?[\d.,]+%?$|^—$/.test(String(row[c] ?? ''))));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, c) => (numeric[c] ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number))).join(' | ')} |`;
  const separator = `| ${widths.map((w, c) => (numeric[c] ? `${'-'.repeat(Math.max(1, w - 1))}:` : '-'.repeat(w))).join(' | ')} |`;
  const out = [...(table.title ? [table.title] : []), line(cells[0] as string[]), separator, ...cells.slice(1).map(line), ...(table.footer ?? [])];
  return out.join('\n');
}
