/** CSV parsing for imports: header row required, BOM, CRLF and quoted fields handled by csv-parse. */
import { parse } from 'csv-parse/sync';
import { BadRequestError } from '../domain/errors.js';

/**
 * A parsed CSV: the header and one record per data row, with the 1-based line of the file it starts on (the header
 * is line 1), the number the browser's preview shows and every per-row error of an import names.
 */
export interface CsvTable {
  columns: string[];
  rows: { line: number; values: Record<string, string> }[];
}

/** Parses CSV text into named records, refusing empty files, duplicate headers and ragged rows. */
export function parseCsv(text: string, maxRows: number): CsvTable {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true, info: true }) as unknown as typeof parsed;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new BadRequestError('malformed_csv', `the CSV could not be parsed: ${message}`);
  }
  const records = parsed.map((p) => p.record);
  if (records.length === 0) throw new BadRequestError('malformed_csv', 'the CSV is empty; it needs a header row naming the columns');
  const columns = records[0];
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup !== undefined) throw new BadRequestError('malformed_csv', `column "${dup}" appears twice in the header`);
  if (columns.some((c) => c === '')) throw new BadRequestError('malformed_csv', 'the header has an empty column name');
  if (records.length - 1 > maxRows) throw new BadRequestError('too_many_rows', `the CSV has ${records.length - 1} rows; at most ${maxRows} per request`);
  if (records.length === 1) throw new BadRequestError('malformed_csv', 'the CSV has a header but no data rows');
  const rows = parsed.slice(1).map((p) => ({ line: startLine(p.info.lines, p.record), values: Object.fromEntries(columns.map((c, j) => [c, p.record[j]])) }));
  return { columns, rows };
}

/**
 * The line a record starts on: csv-parse counts the line it ends on (blank lines included), which is later by the
 * line breaks inside its quoted fields.
 */
function startLine(endLine: number, fields: string[]): number {
  let breaks = 0;
  for (const field of fields) breaks += field.split('\n').length - 1;
  return endLine - breaks;
}
