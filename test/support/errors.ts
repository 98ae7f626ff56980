import { InvalidRequestError } from '../../functions/core/errors.ts';

/** The InvalidRequestError reason an action fails with; any other outcome fails the test. */
export const reasonOf = (action: () => unknown): string => {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidRequestError) {
      return error.reason;
    }
    throw error;
  }
  throw new Error('expected the action to throw');
};

/** What a promise settled with: its value, or the error it was rejected with (for asserting either). */
export const outcomeOf = async <T>(pending: Promise<T>): Promise<T | Error> => {
  try {
    return await pending;
  } catch (error) {
    return error as Error;
  }
};
