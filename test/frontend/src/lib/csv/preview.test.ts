import { describe, expect, it } from 'vitest';
import { buildImportPreview, importAction, type ImportTarget } from '../../../../../frontend/src/lib/csv/preview.js';

const campaign: ImportTarget = {
  parameters: [
    { name: 'temperature', type: 'continuous', min: 20, max: 80, unit: '°C' },
    { name: 'layers', type: 'integer', min: 1, max: 5 },
    { name: 'polymer', type: 'categorical', choices: ['PES', 'PSf'] },
  ],
  objectives: [
    { name: 'permeability', goal: 'maximize' },
    { name: 'rejection', goal: 'target', target: 0.9, tolerance: 0.05 },
  ],
};

describe('buildImportPreview (results in a declared range)', () => {
  it('flags a measured value outside its objective\'s physical range, as the server would refuse it', () => {
    const bounded: ImportTarget = { ...campaign, objectives: [{ name: 'rejection', goal: 'maximize', lowerBound: 0, upperBound: 1 }] };
    const preview = buildImportPreview(bounded, 'temperature,layers,polymer,rejection\n25,2,PES,0.95\n30,2,PES,1.05\n35,2,PES,1\n', 'results');
    expect(preview.rows.map((row) => row.errors)).toEqual([[], ['rejection: 1.05 is above the highest possible value 1'], []]);
  });
});

describe('buildImportPreview (samples)', () => {
  it('accepts valid rows and flags exactly the bad row with its reasons', () => {
    const csv = 'temperature,layers,polymer\n25,2,PES\n90,2.5,PVDF\n60,5,PSf\n';
    const preview = buildImportPreview(campaign, csv, 'samples');
    expect(preview.fileErrors).toEqual([]);
    expect(preview.validRowCount).toBe(2);
    expect(preview.invalidRowCount).toBe(1);
    const bad = preview.rows[1];
    expect(bad.row).toBe(2);
    expect(bad.line).toBe(3);
    expect(bad.errors).toEqual([
      'temperature: 90 is above the maximum 80',
      'layers: 2.5 is not an integer',
      'polymer: "PVDF" is not one of PES, PSf',
    ]);
  });

  it('reports a missing parameter column as a file error', () => {
    const preview = buildImportPreview(campaign, 'temperature,polymer\n30,PES\n', 'samples');
    expect(preview.fileErrors).toEqual(['Missing column "layers" (a design-space parameter)']);
  });

  it('refuses reserved column names the server cannot import as samples', () => {
    const preview = buildImportPreview(campaign, 'temperature,layers,polymer,status\n30,1,PES,measured\n', 'samples');
    expect(preview.fileErrors).toEqual(['Column status cannot be imported as samples']);
    expect(preview.rows[0].errors).toEqual([]);
  });

  it('treats extra columns as numeric features and externalId as text', () => {
    const preview = buildImportPreview(campaign, 'externalId,temperature,layers,polymer,porosity\nM-1,30,1,PES,0.4\nM-2,30,1,PES,high\n', 'samples');
    expect(preview.rows[0].errors).toEqual([]);
    expect(preview.rows[1].errors).toEqual(['porosity: "high" is not a number (feature columns must be numeric)']);
  });

  it('flags rows with the wrong number of values and empty required values', () => {
    const preview = buildImportPreview(campaign, 'temperature,layers,polymer\n30,1\n', 'samples');
    expect(preview.rows[0].errors).toContain('Expected 3 values, found 2');
    expect(preview.rows[0].errors).toContain('polymer is empty');
  });

  it('reports empty files, header-only files, duplicate columns and syntax errors', () => {
    expect(buildImportPreview(campaign, '', 'samples').fileErrors).toEqual(['The file is empty']);
    expect(buildImportPreview(campaign, 'temperature,layers,polymer\n', 'samples').fileErrors).toEqual(['The file has a header but no data rows']);
    expect(buildImportPreview(campaign, 'temperature,layers,polymer,layers\n1,1,PES,1\n', 'samples').fileErrors).toContain('Column "layers" appears twice');
    expect(buildImportPreview(campaign, 'a\n"x\n', 'samples').fileErrors[0]).toMatch(/Unterminated quoted field \(line 2\)/);
  });
});

describe('buildImportPreview (results)', () => {
  it('accepts results by sampleId with any subset of objectives', () => {
    const preview = buildImportPreview(campaign, 'sampleId,permeability,rejection\ns1,12.5,\ns2,,0.91\n', 'results');
    expect(preview.fileErrors).toEqual([]);
    expect(preview.invalidRowCount).toBe(0);
  });

  it('flags non-numeric outcomes and rows without any outcome', () => {
    const preview = buildImportPreview(campaign, 'sampleId,permeability\ns1,abc\ns2,\n', 'results');
    expect(preview.rows[0].errors).toEqual(['permeability: "abc" is not a number']);
    expect(preview.rows[1].errors).toEqual(['No measured outcome in this row']);
  });

  it('needs a way to identify the sample and at least one objective column', () => {
    const preview = buildImportPreview(campaign, 'temperature,note\n30,x\n', 'results');
    expect(preview.fileErrors).toEqual([
      'Results need a sampleId or externalId column, or one column per parameter',
      'Results need at least one outcome column (permeability, rejection)',
      'Unknown column note: results take sampleId or externalId or the parameters, the outcomes, and idempotencyKey',
    ]);
  });
});

describe('importAction (issue 14: a disabled button says why)', () => {
  const header = 'temperature,layers,polymer\n';
  it('names what a valid file will add', () => {
    const preview = buildImportPreview(campaign, `${header}25,2,PES\n30,3,PSf\n`, 'samples');
    expect(importAction(preview, false)).toEqual({ label: 'Import 2 samples', reason: null });
    expect(importAction(buildImportPreview(campaign, 'sampleId,permeability\n1,3.5\n', 'results'), false)).toEqual({ label: 'Import 1 result', reason: null });
  });

  it('never offers to import while rows are bad, and says the import is all-or-nothing', () => {
    const action = importAction(buildImportPreview(campaign, `${header}25,2,PES\n95,2,PES\n`, 'samples'), false);
    expect(action.label).toBe('Fix 1 row to import');
    expect(action.reason).toMatch(/all-or-nothing.*Nothing has been written/);
  });

  it('says when the file itself is the problem, or while it is being sent', () => {
    const missingColumn = buildImportPreview(campaign, 'temperature,layers\n25,2\n', 'samples');
    expect(importAction(missingColumn, false).label).toBe('Cannot import');
    expect(importAction(missingColumn, false).reason).toMatch(/file itself/);
    expect(importAction(buildImportPreview(campaign, `${header}25,2,PES\n`, 'samples'), true)).toEqual({ label: 'Importing…', reason: 'Sending 1 sample to the server.' });
  });
});
