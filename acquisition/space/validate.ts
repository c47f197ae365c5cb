/** Validation of design-space parameters (the shapes of DESIGN.md), with typed errors. */

import { InvalidDesignSpaceError } from '../errors.js';
import type { Parameter } from '../types.js';

/** Throws InvalidDesignSpaceError unless the parameters form a usable design space. */
export function validateParameters(parameters: readonly Parameter[]): void {
  if (parameters.length === 0) throw new InvalidDesignSpaceError('The design space has no parameters');
  const seen = new Set<string>();
  for (const parameter of parameters) {
    if (typeof parameter.name !== 'string' || parameter.name.length === 0) {
      throw new InvalidDesignSpaceError('Every parameter needs a non-empty name');
    }
    if (seen.has(parameter.name)) throw new InvalidDesignSpaceError(`Duplicate parameter name "${parameter.name}"`, { parameter: parameter.name });
    seen.add(parameter.name);
    if (parameter.type === 'categorical') validateCategorical(parameter);
    else if (parameter.type === 'continuous' || parameter.type === 'integer') validateNumeric(parameter);
    else throw new InvalidDesignSpaceError(`Parameter "${parameter.name}" has unknown type "${String(parameter.type)}"`, { parameter: parameter.name });
  }
}

/** Checks bounds (finite, min < max, integers for integer parameters) and the log scale (min > 0). */
function validateNumeric(parameter: Parameter): void {
  const { name, min, max } = parameter;
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max)) {
    throw new InvalidDesignSpaceError(`Parameter "${name}" needs finite numeric min and max`, { parameter: name });
  }
  if (parameter.type === 'integer' ? min > max : !(min < max)) {
    throw new InvalidDesignSpaceError(`Parameter "${name}" has min ${min} not below max ${max}`, { parameter: name, min, max });
  }
  if (parameter.type === 'integer' && (!Number.isInteger(min) || !Number.isInteger(max))) {
    throw new InvalidDesignSpaceError(`Integer parameter "${name}" needs integer bounds`, { parameter: name, min, max });
  }
  if (parameter.log && !(min > 0)) {
    throw new InvalidDesignSpaceError(`Parameter "${name}" is on a log scale but its range [${min}, ${max}] is not positive`, { parameter: name, min, max });
  }
}

/** Checks that a categorical parameter has at least one choice and no duplicate choices. */
function validateCategorical(parameter: Parameter): void {
  const choices = parameter.choices;
  if (!Array.isArray(choices) || choices.length === 0) {
    throw new InvalidDesignSpaceError(`Categorical parameter "${parameter.name}" needs a non-empty list of choices`, { parameter: parameter.name });
  }
  if (new Set(choices).size !== choices.length) {
    throw new InvalidDesignSpaceError(`Categorical parameter "${parameter.name}" has duplicate choices`, { parameter: parameter.name });
  }
}
