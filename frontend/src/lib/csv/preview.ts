// Builds the import preview: every CSV row checked against the campaign's design space (samples) or
// against its objectives (results), with per-row errors, before anything is written on the server.
import type { Campaign } from '../api/types.js';
import { checkOutcomeValue, checkParameterValue } from '../design-space/validate.js';
import { outcomeRangeOf } from '../design-space/objective-range.js';
import { CsvSyntaxError, parseCsv } from './parse-csv.js';

export type ImportKind = 'samples' | 'results';

/** The part of a campaign an import is checked against (constraints name outcomes a result may report). */
export type ImportTarget = Pick<Campaign, 'parameters' | 'objectives'> & Partial<Pick<Campaign, 'constraints'>>;

export interface PreviewRow {
  /** 1-based data row number (the header is row 0); the page names rows by `line` instead. */
  row: number;
  /**
   * 1-based line of the file the row starts on, the header being line 1: the number the page shows and the one the
   * server's per-row errors of a CSV import carry.
   */
  line: number;
  cells: string[];
  errors: string[];
}

export interface ImportPreview {
  kind: ImportKind;
  columns: string[];
  rows: PreviewRow[];
  /** Problems of the file as a whole (missing columns, syntax); the import is refused while any exist. */
  fileErrors: string[];
  validRowCount: number;
  invalidRowCount: number;
}

/** Column names with a fixed meaning besides parameters, features and outcomes (as the server's CSV import reads them). */
const SAMPLE_META_COLUMNS = new Set(['externalId', 'smiles', 'assetId']);
const RESULT_META_COLUMNS = new Set(['sampleId', 'externalId', 'idempotencyKey']);
/** Names the server reserves; in a samples CSV only SAMPLE_META_COLUMNS of them may appear. */
const RESERVED_COLUMNS = new Set(['id', 'sampleId', 'externalId', 'status', 'smiles', 'idempotencyKey', 'source', 'resultId', 'createdAt']);

/** Parses and checks a CSV for import into `campaign`; never throws for bad input, reports it instead. */
export function buildImportPreview(campaign: ImportTarget, csvText: string, kind: ImportKind): ImportPreview {
  const empty = (message: string): ImportPreview => ({ kind, columns: [], rows: [], fileErrors: [message], validRowCount: 0, invalidRowCount: 0 });
  let records;
  try {
    records = parseCsv(csvText);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return empty(error.message);
    throw error;
  }
  if (records.length === 0) return empty('The file is empty');
  const [header, ...dataRecords] = records;
  const columns = header.fields;
  const fileErrors = kind === 'samples' ? checkSampleColumns(campaign, columns) : checkResultColumns(campaign, columns);
  if (dataRecords.length === 0) fileErrors.push('The file has a header but no data rows');
  const rows = dataRecords.map((record, index) => ({
    row: index + 1,
    line: record.line,
    cells: record.fields,
    errors: checkRow(campaign, columns, record.fields, kind),
  }));
  const invalidRowCount = rows.filter((row) => row.errors.length > 0).length;
  return { kind, columns, rows, fileErrors, validRowCount: rows.length - invalidRowCount, invalidRowCount };
}

/** File-level problems of a samples CSV: every parameter needs a column, names distinct, no reserved names. */
function checkSampleColumns(campaign: ImportTarget, columns: string[]): string[] {
  const errors = duplicateColumnErrors(columns);
  for (const parameter of campaign.parameters) {
    if (!columns.includes(parameter.name)) errors.push(`Missing column "${parameter.name}" (a design-space parameter)`);
  }
  const reserved = columns.filter((column) => RESERVED_COLUMNS.has(column) && !SAMPLE_META_COLUMNS.has(column));
  if (reserved.length > 0) errors.push(`Column${reserved.length === 1 ? '' : 's'} ${reserved.join(', ')} cannot be imported as samples`);
  return errors;
}

/** Names a result may report: the objectives and the constrained outcomes. */
function outcomeNames(campaign: ImportTarget): Set<string> {
  return new Set([...campaign.objectives.map((o) => o.name), ...(campaign.constraints ?? []).map((c) => c.name)]);
}

/** File-level problems of a results CSV: a sampleId/externalId or all parameter columns, and at least one objective. */
function checkResultColumns(campaign: ImportTarget, columns: string[]): string[] {
  const errors = duplicateColumnErrors(columns);
  const identifiesSample = columns.includes('sampleId') || columns.includes('externalId') || campaign.parameters.every((p) => columns.includes(p.name));
  if (!identifiesSample) errors.push('Results need a sampleId or externalId column, or one column per parameter');
  const outcomes = outcomeNames(campaign);
  if (!columns.some((column) => outcomes.has(column))) errors.push(`Results need at least one outcome column (${[...outcomes].join(', ')})`);
  const parameterNames = new Set(campaign.parameters.map((p) => p.name));
  const unknown = columns.filter((column) => column !== '' && !outcomes.has(column) && !parameterNames.has(column) && !RESULT_META_COLUMNS.has(column));
  if (unknown.length > 0) errors.push(`Unknown column${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}: results take sampleId or externalId or the parameters, the outcomes, and idempotencyKey`);
  return errors;
}

/** "Column x appears twice" errors. */
function duplicateColumnErrors(columns: string[]): string[] {
  const seen = new Set<string>();
  const errors: string[] = [];
  for (const column of columns) {
    if (column === '') errors.push('A column has no name');
    else if (seen.has(column)) errors.push(`Column "${column}" appears twice`);
    seen.add(column);
  }
  return errors;
}

/** Per-cell problems of one data row. */
function checkRow(campaign: ImportTarget, columns: string[], cells: string[], kind: ImportKind): string[] {
  const errors: string[] = [];
  if (cells.length !== columns.length) errors.push(`Expected ${columns.length} values, found ${cells.length}`);
  const parameters = new Map(campaign.parameters.map((p) => [p.name, p]));
  const objectiveNames = outcomeNames(campaign);
  const metaColumns = kind === 'samples' ? SAMPLE_META_COLUMNS : RESULT_META_COLUMNS;
  columns.forEach((column, index) => {
    const raw = cells[index] ?? '';
    const parameter = parameters.get(column);
    if (parameter) {
      if (kind === 'results' && raw.trim() === '' && (columns.includes('sampleId') || columns.includes('externalId'))) return;
      const check = checkParameterValue(parameter, raw);
      if (!check.ok) errors.push(check.message);
    } else if (metaColumns.has(column) || RESERVED_COLUMNS.has(column)) {
      return;
    } else if (kind === 'results' && objectiveNames.has(column)) {
      if (raw.trim() === '') return;
      const check = checkOutcomeValue(column, raw, outcomeRangeOf(campaign, column));
      if (!check.ok) errors.push(check.message);
    } else if (kind === 'samples' && raw.trim() !== '') {
      // Any other column is a numeric feature (descriptor) of the sample.
      const check = checkOutcomeValue(column, raw);
      if (!check.ok) errors.push(`${check.message} (feature columns must be numeric)`);
    }
  });
  if (kind === 'results' && !columns.some((column, index) => objectiveNames.has(column) && (cells[index] ?? '').trim() !== '')) {
    errors.push('No measured outcome in this row');
  }
  return errors;
}

/** What the import button says, and why it cannot be pressed when it cannot (null when it can). */
export interface ImportAction {
  label: string;
  reason: string | null;
}

/** The import button's words for a checked file: what pressing it will do, or why it is disabled. */
export function importAction(preview: ImportPreview, busy: boolean): ImportAction {
  const noun = (n: number) => `${n} ${preview.kind === 'samples' ? 'sample' : 'result'}${n === 1 ? '' : 's'}`;
  if (busy) return { label: 'Importing…', reason: `Sending ${noun(preview.validRowCount)} to the server.` };
  if (preview.fileErrors.length > 0) return { label: 'Cannot import', reason: 'The file itself has problems (listed below); fix them and choose the file again. Nothing has been written.' };
  if (preview.invalidRowCount > 0) {
    const rows = `${preview.invalidRowCount} row${preview.invalidRowCount === 1 ? '' : 's'}`;
    return { label: `Fix ${rows} to import`, reason: `The import is all-or-nothing: fix the ${rows} marked below and choose the file again. Nothing has been written.` };
  }
  if (preview.rows.length === 0) return { label: 'Nothing to import', reason: 'The file has no data rows.' };
  return { label: `Import ${noun(preview.validRowCount)}`, reason: null };
}
