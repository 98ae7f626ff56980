import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadlineHttpHandler } from '../../../../functions/adapters/deadline/deadline-http-handler.ts';
import { RequestDeadlines } from '../../../../functions/adapters/deadline/request-deadlines.ts';
import { type StalledPeer, startStalledPeer } from '../../../support/stalled-peer.ts';

let peer: StalledPeer;

beforeAll(async () => {
  peer = await startStalledPeer();
});

afterAll(async () => {
  await peer.close();
});

const clientWith = (deadlines: RequestDeadlines, maxAttempts: number) =>
  new DynamoDBClient({
    endpoint: peer.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
    requestHandler: new DeadlineHttpHandler({ connectionTimeoutMs: 200, requestTimeoutMs: 300 }, deadlines),
  });

const getItem = (client: DynamoDBClient) =>
  client.send(new GetItemCommand({ TableName: 'any', Key: { pk: { S: 'a' }, sk: { S: 'b' } } })).then(
    () => undefined,
    (error: unknown) => error as Error,
  );

describe('DeadlineHttpHandler', () => {
  it('throws when an attempt outlives its request timeout, and the SDK retries it', async () => {
    const client = clientWith(new RequestDeadlines(), 2);
    const before = peer.connections();

    const error = await getItem(client);

    expect(error?.name).toBe('TimeoutError');
    expect(peer.connections() - before).toBe(2);
  });

  it('starts no attempt once the request’s deadline has passed, and that is not retried', async () => {
    const deadlines = new RequestDeadlines();
    const client = clientWith(deadlines, 3);
    const before = peer.connections();

    const error = await deadlines.run(Date.now() - 1, () => getItem(client));

    expect(error?.name).toBe('DeadlineExceededError');
    expect(peer.connections()).toBe(before);
  });

  it('cuts an attempt short to what is left of the deadline', async () => {
    const deadlines = new RequestDeadlines();
    const client = clientWith(deadlines, 1);
    const before = peer.connections();

    // 120 ms left, less than the 300 ms request timeout: one attempt, ended by the deadline's share.
    const error = await deadlines.run(Date.now() + 120, () => getItem(client));

    // What was left when the attempt began: at most the 120 ms, whatever the machine's load took of it.
    const attemptTimeoutMs = Number(/configured (\d+) ms requestTimeout/.exec(error?.message ?? '')?.[1]);
    expect(error?.name).toBe('TimeoutError');
    expect(attemptTimeoutMs).toBeGreaterThan(0);
    expect(attemptTimeoutMs).toBeLessThanOrEqual(120);
    expect(peer.connections() - before).toBe(1);
  });
});
