import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  buildFunction,
  FUNCTIONS,
  type FunctionHandler,
  functionsOfKind,
  type HttpFunctionName,
  type InvokedFunctionName,
} from '../functions/catalog.ts';
import type { ServiceRuntime } from '../functions/wiring/service-runtime.ts';
import { lambdaContext } from './lambda-context.ts';

/** A function behind a public route, as API Gateway calls it. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** Every function of the catalogue, built on one runtime, each called with its own Lambda context. */
export interface LocalFunctions {
  readonly http: Readonly<Record<HttpFunctionName, HttpApiHandler>>;
  /** By the name the Lambda Invoke API takes. */
  readonly invoked: ReadonlyMap<string, (payload: unknown) => Promise<unknown>>;
  readonly exchange: FunctionHandler<'auth-exchange'>;
}

/**
 * Builds every function as its Lambda entry point does (functions/catalog.ts), on `runtime`. Each
 * call gets a Lambda context counting down its catalogue timeout, so its calls are held to the
 * deadlines they have in AWS.
 */
export const buildLocalFunctions = async (runtime: ServiceRuntime): Promise<LocalFunctions> => {
  const withContext =
    <Event, Result>(
      name: string,
      handler: (event: Event, context?: ReturnType<typeof lambdaContext>) => Result,
    ) =>
    (event: Event): Result =>
      handler(event, lambdaContext(name, FUNCTIONS[name as keyof typeof FUNCTIONS].timeoutSeconds * 1000));
  const http = {} as Record<HttpFunctionName, HttpApiHandler>;
  for (const [name] of functionsOfKind('http')) {
    http[name] = withContext(name, await buildFunction(name, runtime));
  }
  const invoked = new Map<string, (payload: unknown) => Promise<unknown>>();
  for (const [name] of functionsOfKind('invoked')) {
    const handler: (payload: unknown, context?: ReturnType<typeof lambdaContext>) => Promise<unknown> =
      await buildFunction(name as InvokedFunctionName, runtime);
    invoked.set(name, withContext(name, handler));
  }
  const exchange = await buildFunction('auth-exchange', runtime);
  return {
    http,
    invoked,
    exchange: (event, context) =>
      exchange(
        event,
        context ?? lambdaContext('auth-exchange', FUNCTIONS['auth-exchange'].timeoutSeconds * 1000),
      ),
  };
};
