import { createServer, type Server } from 'node:http';

/** A Secrets Manager stand-in on 127.0.0.1 that answers GetSecretValue like the real API. */
export interface FakeSecretsManager {
  readonly endpoint: string;
  /** Sets or (with undefined) removes a secret's string value. */
  setSecret(secretId: string, value: string | undefined): void;
  /** Makes every call fail with HTTP 500 until turned off. */
  failAll(failing: boolean): void;
  readonly calls: () => number;
  close(): Promise<void>;
}

export const startFakeSecretsManager = async (): Promise<FakeSecretsManager> => {
  const secrets = new Map<string, string>();
  let failing = false;
  let calls = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      calls += 1;
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      if (failing) {
        reply(500, { __type: 'InternalServiceError', message: 'injected failure' });
        return;
      }
      if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        reply(400, { __type: 'InvalidRequestException', message: 'unsupported operation' });
        return;
      }
      const { SecretId: secretId } = JSON.parse(body) as { SecretId: string };
      const value = secrets.get(secretId);
      if (value === undefined) {
        reply(400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
        return;
      }
      reply(200, {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${secretId}`,
        Name: secretId,
        SecretString: value,
        VersionId: 'v1',
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setSecret: (secretId, value) => {
      if (value === undefined) {
        secrets.delete(secretId);
      } else {
        secrets.set(secretId, value);
      }
    },
    failAll: (value) => {
      failing = value;
    },
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
