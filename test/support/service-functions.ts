import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../../functions/catalog.ts';

/** Each function's construct id in the service stack (the prefix of its logical id), from the catalogue. */
export const FUNCTION_IDS: Readonly<Record<FunctionName, string>> = Object.fromEntries(
  FUNCTION_NAMES.map((name) => [name, FUNCTIONS[name].constructId]),
) as Record<FunctionName, string>;
