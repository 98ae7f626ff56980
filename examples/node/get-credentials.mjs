// Gets a suite token, a corp token and a JS-SDK signature from `npm start` with the published
// client, in plain Node (no TypeScript runner). The service's tests run it from a project that
// installed the packed client: `node get-credentials.mjs http://127.0.0.1:3001`.
import { CorpNotAuthorizedError, CredentialsClient, localLambdaClient } from '@wecom-credentials/client';

const endpoint = process.argv[2] ?? 'http://127.0.0.1:3001';
const suiteId = 'wwsandboxsuite0001';
const corpId = process.argv[3] ?? 'wwpackagecorp';

// localLambdaClient supplies a region and placeholder credentials: nothing to configure locally.
const credentials = new CredentialsClient({ lambda: localLambdaClient(endpoint) });

const suiteToken = await credentials.getSuiteToken({ suiteId });

// The sandbox's stand-in for a company installing the app; the corp token follows within seconds.
const installed = await fetch(`${endpoint}/sandbox/install?suiteId=${suiteId}&corpId=${corpId}`, {
  method: 'POST',
});
if (!installed.ok) {
  throw new Error(`the sandbox install answered ${installed.status}`);
}
let corpToken;
for (let attempt = 0; corpToken === undefined; attempt += 1) {
  try {
    corpToken = await credentials.getCorpToken({ suiteId, corpId });
  } catch (error) {
    if (!(error instanceof CorpNotAuthorizedError) || attempt >= 200) {
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const signature = await credentials.getJsapiSignature({
  suiteId,
  corpId,
  type: 'agent',
  url: 'https://app.example.com/page?x=1#part',
});

console.log(
  JSON.stringify({
    suiteToken: suiteToken.accessToken,
    suiteTokenExpiresAt: suiteToken.expiresAt.toISOString(),
    corpToken: corpToken.accessToken,
    agentId: corpToken.agentId,
    signature,
  }),
);
