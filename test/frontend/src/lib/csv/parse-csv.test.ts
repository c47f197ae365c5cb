import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, detectDelimiter, parseCsv } from '../../../../../frontend/src/lib/csv/parse-csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and newlines', () => {
    const records = parseCsv('name,note\r\n"PES, 18%","said ""ok"""\n"two\nlines",x\n');
    expect(records).toEqual([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['PES, 18%', 'said "ok"'] },
      { line: 3, fields: ['two\nlines', 'x'] },
    ]);
  });

  it('strips a BOM, skips blank lines and trims unquoted fields', () => {
    const records = parseCsv('\uFEFFa,b\n\n 1 , 2 \n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['1', '2'] },
    ]);
  });

  it('keeps empty trailing fields and reads a last line without newline', () => {
    expect(parseCsv('a,b,c\n1,,\n4,5,6').map((r) => r.fields)).toEqual([['a', 'b', 'c'], ['1', '', ''], ['4', '5', '6']]);
  });

  it('detects semicolon and tab delimiters from the header', () => {
    expect(detectDelimiter('a;b;c\n1,5;2;3')).toBe(';');
    expect(detectDelimiter('a\tb\n1\t2')).toBe('\t');
    expect(parseCsv('a;b\n1,5;2').map((r) => r.fields)).toEqual([['a', 'b'], ['1,5', '2']]);
  });

  it('reports an unterminated quote with its line', () => {
    expect(() => parseCsv('a,b\n1,"oops\n2,3\n')).toThrow(CsvSyntaxError);
    try {
      parseCsv('a,b\n1,"oops\n');
    } catch (error) {
      expect((error as CsvSyntaxError).line).toBe(2);
    }
  });
});
