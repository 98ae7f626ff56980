import { LambdaClient } from '@aws-sdk/client-lambda';

/**
 * A LambdaClient for the service's local stack (`npm start`'s Invoke API on LAMBDA_PORT, default
 * 3001). It supplies a region and placeholder credentials, which the SDK requires and the local
 * stack never checks, so nothing has to be configured by hand; in AWS build your own LambdaClient.
 * @throws RangeError when `endpoint` is not an http(s) URL.
 */
export const localLambdaClient = (endpoint = 'http://127.0.0.1:3001'): LambdaClient => {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new RangeError('endpoint must be an http(s) URL such as http://127.0.0.1:3001');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RangeError('endpoint must be an http(s) URL such as http://127.0.0.1:3001');
  }
  return new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
};
