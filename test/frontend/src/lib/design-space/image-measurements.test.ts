import { describe, expect, it } from 'vitest';
import { blankCampaign, campaignFromDraft } from '../../../../../frontend/src/lib/design-space/drafts.js';
import { checkImageMeasurements, describeImageMeasurement, IMAGE_QUANTITY_LIST, imageMeasurementFromDraft, QUANTITY_INFO, unitFits } from '../../../../../frontend/src/lib/design-space/image-measurements.js';
import { checkCampaign } from '../../../../../frontend/src/lib/design-space/validate.js';

const classes = ['pore', 'solid'];

describe('image measurements in the campaign form', () => {
  it('offers every quantity the server knows, once', () => {
    expect([...IMAGE_QUANTITY_LIST].sort()).toEqual(Object.keys(QUANTITY_INFO).sort());
  });

  it('accepts distinct names, known quantities and label classes', () => {
    const ok = [
      { name: 'pore_diameter', quantity: 'mean-equivalent-diameter', class: 'pore' },
      { name: 'rating', quantity: 'expert-rating' },
    ];
    expect(checkImageMeasurements(ok, ['temperature'], classes)).toEqual([]);
  });

  it('refuses a name used twice, a parameter name, a bad name, an unknown quantity, a missing or unknown class', () => {
    const errors = checkImageMeasurements(
      [
        { name: 'porosity', quantity: 'area-fraction', class: 'pore' },
        { name: 'porosity', quantity: 'area-fraction', class: 'pore' },
        { name: 'temperature', quantity: 'hexagonal-order', class: 'pore' },
        { name: '2bad', quantity: 'expert-rating' },
        { name: 'density', quantity: 'pore-count' },
        { name: 'spread', quantity: 'diameter-dispersity' },
        { name: 'grain', quantity: 'area-fraction', class: 'grain' },
      ],
      ['temperature'],
      classes,
    );
    expect(errors.map((error) => error.field)).toEqual([
      'imageMeasurements.1.name',
      'imageMeasurements.2.name',
      'imageMeasurements.3.name',
      'imageMeasurements.4.quantity',
      'imageMeasurements.5.class',
      'imageMeasurements.6.class',
    ]);
    expect(errors[5].message).toBe('"grain" is not one of the label classes (pore, solid)');
  });

  it('sends the class only for quantities about one, and the unit only when given', () => {
    expect(imageMeasurementFromDraft({ name: ' d ', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'nm' })).toEqual({ name: 'd', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'nm' });
    expect(imageMeasurementFromDraft({ name: 'r', quantity: 'expert-rating', class: 'pore', unit: '' })).toEqual({ name: 'r', quantity: 'expert-rating' });
    expect(describeImageMeasurement({ quantity: 'mean-equivalent-diameter', class: 'pore' })).toBe('mean equivalent diameter of pore');
  });

  it('checks measurements with the campaign: typed label classes (else the defaults), and constraints may bound them', () => {
    const draft = blankCampaign();
    draft.name = 'Membranes';
    draft.parameters[0] = { name: 'temperature', type: 'continuous', min: '20', max: '80', log: false, choices: '', unit: '' };
    draft.objectives[0] = { name: 'pore_diameter', goal: 'target', target: '30', tolerance: '3', unit: 'nm', lowerBound: '', upperBound: '' };
    draft.imageMeasurements = [
      { name: 'pore_diameter', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'nm' },
      { name: 'porosity', quantity: 'area-fraction', class: 'pore', unit: '' },
    ];
    draft.constraints = [{ name: 'porosity', op: '>=', value: '0.2' }];
    const input = campaignFromDraft(draft);
    expect(input.imageMeasurements).toHaveLength(2);
    expect(checkCampaign(input)).toEqual([]);
    draft.labelClasses = 'hole, matrix';
    expect(checkCampaign(campaignFromDraft(draft)).map((error) => error.field)).toEqual(['imageMeasurements.0.class', 'imageMeasurements.1.class']);
  });

  it('accepts the units the server reads and refuses the rest on the unit field', () => {
    expect(unitFits('mean-equivalent-diameter', 'nm')).toBe(true);
    expect(unitFits('mean-equivalent-diameter', 'um')).toBe(true);
    expect(unitFits('mean-equivalent-diameter', 'mm')).toBe(false);
    expect(unitFits('number-density', 'µm^-2')).toBe(true);
    expect(unitFits('number-density', 'nm⁻²')).toBe(true);
    expect(unitFits('number-density', 'nm')).toBe(false);
    expect(unitFits('area-fraction', '%')).toBe(false);
    const errors = checkImageMeasurements(
      [
        { name: 'd', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'mm' },
        { name: 'phi', quantity: 'area-fraction', class: 'pore', unit: '%' },
        { name: 'n', quantity: 'number-density', class: 'pore', unit: 'µm^-2' },
        { name: 'r', quantity: 'expert-rating', unit: '' },
      ],
      [],
      classes,
    );
    expect(errors.map((e) => e.field)).toEqual(['imageMeasurements.0.unit', 'imageMeasurements.1.unit']);
  });

  it('refuses the export\'s own column names as measurement names', () => {
    const errors = checkImageMeasurements([{ name: 'modelId', quantity: 'expert-rating' }, { name: 'superseded', quantity: 'expert-rating' }], [], classes);
    expect(errors.map((e) => e.field)).toEqual(['imageMeasurements.0.name', 'imageMeasurements.1.name']);
  });
});
