/** Campaign definitions the browser tests share. */

/** The coating campaign's design space: temperature and time, with units. */
export const COATING_PARAMETERS = [
  { name: 'temperature', type: 'continuous', min: 20, max: 80, unit: '°C' },
  { name: 'time', type: 'continuous', min: 1, max: 30, unit: 'min' },
] as const;
