/**
 * Re-drives auth-exchange's dead-letter messages by re-putting the records they name (SQS has no
 * dead-letter redrive in AWS China, and none for a stream mapping's queue anywhere): docs/operations.md,
 * Dead-letter queue. Region, partition and credentials are the AWS SDK's usual ones (AWS_PROFILE,
 * AWS_REGION), so it works in `aws` and `aws-cn` alike.
 *
 *   aws sqs receive-message --queue-url "$QUEUE" --max-number-of-messages 10 > dead-letters.json
 *   npm run redrive -- --table "$TABLE" --messages dead-letters.json
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { RedriveInputError, redriveDeadLetter } from './auth-exchange-redrive.ts';

/** The messages of `aws sqs receive-message` output: `{ "Messages": [{ "Body", "ReceiptHandle" }] }`. */
const messagesIn = (file: string): { body: string; receiptHandle: string }[] => {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Messages?: unknown };
  if (!Array.isArray(parsed.Messages)) {
    throw new RedriveInputError(`${file} holds no "Messages" list (the output of aws sqs receive-message)`);
  }
  return parsed.Messages.map((message: { Body?: unknown; ReceiptHandle?: unknown }) => ({
    body: String(message.Body ?? ''),
    receiptHandle: String(message.ReceiptHandle ?? ''),
  }));
};

const main = async (): Promise<void> => {
  const { values } = parseArgs({ options: { table: { type: 'string' }, messages: { type: 'string' } } });
  if (values.table === undefined || values.messages === undefined) {
    throw new RedriveInputError('usage: npm run redrive -- --table <TableName output> --messages <file>');
  }
  const clients = { dynamodb: new DynamoDBClient({}), streams: new DynamoDBStreamsClient({}) };
  for (const message of messagesIn(values.messages)) {
    const report = await redriveDeadLetter(clients, values.table, message.body, Date.now());
    if (!report.found) {
      process.stdout.write(
        `not in the stream any more (kept 24 hours): ${report.batch.shardId} ${report.batch.startSequenceNumber}..${report.batch.endSequenceNumber}; keep the message and read docs/operations.md\n`,
      );
      continue;
    }
    for (const { keys, outcome } of report.records) {
      process.stdout.write(`${outcome.padEnd(22)} ${keys}\n`);
    }
    process.stdout.write(
      `done; delete it: aws sqs delete-message --queue-url "$QUEUE" --receipt-handle '${message.receiptHandle}'\n`,
    );
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
});
