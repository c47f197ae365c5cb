// A small RFC 4180 CSV reader for the import preview (quoted fields, doubled quotes, CRLF/LF, a UTF-8
// BOM, commas or semicolons). The server parses the same text again with csv-parse; this one only has to
// agree on well-formed files and report malformed ones with their line number.

export interface CsvRecord {
  /** 1-based line number in the file where the record starts. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  readonly line: number;

  constructor(message: string, line: number) {
    super(`${message} (line ${line})`);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

/** Guesses the delimiter from the header line: ';' when it has more semicolons than commas, else ','. */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const count = (char: string) => firstLine.split(char).length - 1;
  const tabs = count('\t');
  const semicolons = count(';');
  const commas = count(',');
  if (tabs > commas && tabs > semicolons) return '\t';
  return semicolons > commas ? ';' : ',';
}

/** Parses CSV text into records; blank lines are skipped; an unterminated quote throws CsvSyntaxError. */
export function parseCsv(text: string, delimiter: string = detectDelimiter(text)): CsvRecord[] {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let fieldWasQuoted = false;
  let line = 1;
  let recordLine = 1;
  let index = 0;

  const endField = () => {
    fields.push(fieldWasQuoted ? field : field.trim());
    field = '';
    fieldWasQuoted = false;
  };
  const endRecord = () => {
    endField();
    const isBlank = fields.length === 1 && fields[0] === '';
    if (!isBlank) records.push({ line: recordLine, fields });
    fields = [];
  };

  while (index < source.length) {
    const char = source[index];
    if (inQuotes) {
      if (char === '"') {
        if (source[index + 1] === '"') {
          field += '"';
          index += 2;
          continue;
        }
        inQuotes = false;
      } else {
        if (char === '\n') line++;
        field += char;
      }
      index++;
      continue;
    }
    if (char === '"' && field.trim() === '') {
      inQuotes = true;
      fieldWasQuoted = true;
      field = '';
    } else if (char === delimiter) {
      endField();
    } else if (char === '\r' || char === '\n') {
      if (char === '\r' && source[index + 1] === '\n') index++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += char;
    }
    index++;
  }
  if (inQuotes) throw new CsvSyntaxError('Unterminated quoted field', recordLine);
  if (field !== '' || fields.length > 0 || fieldWasQuoted) endRecord();
  return records;
}
