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

/** The error a request fails with; a request that succeeds fails the test. */
export const failureOf = async (request: () => Promise<unknown>): Promise<Error> => {
  try {
    await request();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to fail');
};
