import { App } from 'aws-cdk-lib';
import { Default, Fact, FactName } from 'aws-cdk-lib/region-info';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FUNCTION_NAMES, FUNCTIONS } from '../../functions/catalog.ts';
import { LAMBDA_RUNTIMES, nodeOptionsOf, readLambdaPlatform } from '../../lib/lambda-platform.ts';
import { readStageConfig } from '../../lib/stage-config.ts';
import { SYNTH_TIMEOUT_MS, type SynthesizedApp, synthesizeApp } from '../support/infra.ts';
import {
  CHINA_REGIONS,
  GLOBAL_REGION,
  partitionFacts,
  REGIONAL_DOMAIN,
  regionalContext,
} from '../support/regional-stage.ts';
import { actionsOf } from '../support/stack-templates.ts';

// Each region's stage is one synth (no bundling: these checks read the templates, and the bundles
// are the same code in every region, bundled for real by the run's one synth and by `cdk synth`).
vi.setConfig({ testTimeout: SYNTH_TIMEOUT_MS, hookTimeout: SYNTH_TIMEOUT_MS });

const REGIONS = [...CHINA_REGIONS, GLOBAL_REGION] as const;
const stages = new Map<string, SynthesizedApp>();

beforeAll(() => {
  vi.stubEnv('CDK_DEFAULT_ACCOUNT', undefined);
  vi.stubEnv('CDK_DEFAULT_REGION', undefined);
  for (const region of REGIONS) {
    stages.set(region, synthesizeApp(regionalContext(region), { nag: true }));
  }
  vi.unstubAllEnvs();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

const stageIn = (region: string): SynthesizedApp => {
  const stage = stages.get(region);
  if (stage === undefined) {
    throw new Error(`no stage synthesized in ${region}`);
  }
  return stage;
};

const templatesIn = (region: string) => {
  const { data, service } = stageIn(region);
  return [data.toJSON(), service.toJSON()] as const;
};

/** Every value of `key` anywhere in the templates. */
const valuesOf = (templates: readonly unknown[], key: string): unknown[] => {
  const found: unknown[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      for (const [name, entry] of Object.entries(value)) {
        if (name === key) {
          found.push(entry);
        }
        visit(entry);
      }
    }
  };
  templates.forEach(visit);
  return found;
};

describe.each(REGIONS)('the stage pinned to %s', (region) => {
  const { partition, urlSuffix } = partitionFacts(region);

  it("names only its own partition in every literal ARN, CDK's region fact for the region", () => {
    const text = JSON.stringify(templatesIn(region));

    const partitions = new Set([...text.matchAll(/arn:(aws[a-z-]*):/g)].map((match) => match[1]));

    expect([...partitions]).toEqual([partition]);
  });

  it("trusts each AWS service by the principal CDK's region facts give it in the region", () => {
    const principals = valuesOf(templatesIn(region), 'Service').flat();

    const wrong = principals.filter(
      (principal) =>
        typeof principal !== 'string' ||
        principal !== Default.servicePrincipal(principal.split('.')[0] ?? '', region, urlSuffix),
    );

    expect(principals.length).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });

  it('confines the key to services named <service>.<region>.amazonaws.com, the form KMS documents for every partition', () => {
    const viaServices = valuesOf(templatesIn(region), 'kms:ViaService').flat();

    expect(viaServices.length).toBeGreaterThan(0);
    for (const viaService of viaServices) {
      expect(viaService).toMatch(new RegExp(`^[a-z-]+\\.${region}\\.amazonaws\\.com$`));
    }
  });

  it('names URLs only on its own domain in the outputs', () => {
    const outputs = templatesIn(region).flatMap((template) => Object.values(template.Outputs ?? {}));
    const values = outputs.map((output) => JSON.stringify((output as { Value: unknown }).Value));

    const urls = values.filter((value) => value.includes('https://'));

    expect(urls.length).toBeGreaterThan(0);
    expect(urls.filter((value) => !value.includes(`https://${REGIONAL_DOMAIN}/`))).toEqual([]);
    expect(values.filter((value) => value.includes('execute-api') || value.includes(urlSuffix))).toEqual([]);
  });

  it('runs every function of the catalogue on the default runtime and architecture', () => {
    const functions = Object.values(stageIn(region).service.findResources('AWS::Lambda::Function')).filter(
      (resource) => resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== undefined,
    );

    expect(functions).toHaveLength(FUNCTION_NAMES.length);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
  });

  it('finds nothing unacknowledged under the cdk-nag AwsSolutions checks', () => {
    expect(() => stageIn(region).app.synth()).not.toThrow();
  });

  it('synthesizes without an error, so `cdk synth` needs no credentials (no lookup)', () => {
    const { app } = stageIn(region);

    const errors = app
      .synth()
      .stacks.flatMap((stack) => stack.messages.filter((message) => message.level === 'error'));

    expect(errors.map((message) => `${message.id}: ${String(message.entry.data)}`)).toEqual([]);
  });
});

describe.each(CHINA_REGIONS)('the China stage in %s, held against %s', (region) => {
  it('has every alarm the global stage has', () => {
    const alarmIds = (stage: SynthesizedApp) =>
      Object.keys(stage.service.findResources('AWS::CloudWatch::Alarm')).sort();

    expect(alarmIds(stageIn(region))).toEqual(alarmIds(stageIn(GLOBAL_REGION)));
  });

  it.each(FUNCTION_NAMES)('grants %s the same actions as the global stage', (name) => {
    const { constructId } = FUNCTIONS[name];

    const actions = (stage: SynthesizedApp) => actionsOf(stage.service, constructId).sort();

    expect(actions(stageIn(region))).toEqual(actions(stageIn(GLOBAL_REGION)));
  });
});

describe('aiming a synth at China', () => {
  const stageFor = (context: Record<string, unknown>) => readStageConfig(new App({ context }));

  it('refuses a China region without the custom domain, saying why: ICP', () => {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', undefined);

    for (const region of CHINA_REGIONS) {
      expect(() => stageFor({ region })).toThrow(
        `${region} is in AWS China, where API Gateway serves unauthenticated requests only on a custom domain ICP-filed by your entity`,
      );
    }
  });

  it('refuses a China region with the CLI credentials of a global account', () => {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '111122223333');
    vi.stubEnv('CDK_DEFAULT_REGION', 'us-east-1');

    expect(() => stageFor(regionalContext('cn-north-1'))).toThrow(
      "context region cn-north-1 is in the aws-cn partition, but the CLI's credentials are for aws (region us-east-1)",
    );
  });

  it('pins the stacks to the context region, whatever region the CLI names, and never to an account', () => {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '111122223333');
    vi.stubEnv('CDK_DEFAULT_REGION', 'cn-northwest-1');

    const stage = stageFor(regionalContext('cn-north-1'));

    expect(stage.env).toEqual({ region: 'cn-north-1' });
  });

  it("refuses a context account that is not the CLI credentials' account", () => {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '123456789012');
    vi.stubEnv('CDK_DEFAULT_REGION', 'cn-north-1');

    expect(() => stageFor(regionalContext('cn-north-1'))).toThrow(
      "context account 111122223333 is not the account of the CLI's credentials (123456789012)",
    );
  });

  it('compares the certificate with the context region, not the CLI region', () => {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '111122223333');
    vi.stubEnv('CDK_DEFAULT_REGION', 'cn-north-1');

    expect(() =>
      stageFor(
        regionalContext('cn-northwest-1', {
          certificateArn:
            'arn:aws-cn:acm:cn-north-1:111122223333:certificate/0f0e0d0c-0b0a-4908-8706-050403020100',
        }),
      ),
    ).toThrow(
      'context certificateArn is a certificate in cn-north-1, but the stacks deploy to cn-northwest-1',
    );
  });

  it('refuses a region aws-cdk-lib does not know, naming it', () => {
    expect(() => stageFor({ region: 'cn-south-9' })).toThrow('context region cn-south-9 is not a region');
  });
});

describe('runtime and architecture switches', () => {
  it('runs every function on the runtime and architecture the context names', () => {
    const { service } = synthesizeApp({ lambdaRuntime: 'nodejs22.x', lambdaArchitecture: 'x86_64' });

    const functions = Object.values(service.findResources('AWS::Lambda::Function')).filter(
      (resource) => resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== undefined,
    );

    expect(functions).toHaveLength(FUNCTION_NAMES.length);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['x86_64'] });
      // Node.js 22 would parse each bundle's source map on every cold start (nodeOptionsOf).
      expect(fn.Properties.Environment.Variables).not.toHaveProperty('NODE_OPTIONS');
    }
  });

  it('asks for source maps only from runtimes that read them when a trace needs them', () => {
    expect(
      LAMBDA_RUNTIMES.map((runtime) => [runtime, nodeOptionsOf({ runtime, architecture: 'arm64' })]),
    ).toEqual([
      ['nodejs24.x', '--enable-source-maps'],
      ['nodejs22.x', undefined],
      ['nodejs20.x', undefined],
    ]);
  });

  it("refuses a runtime newer than CDK's latestNodeRuntime fact for the region, naming the one it has", () => {
    // A region whose newest runtime lags, as China's have before (no region of today's facts does).
    Fact.register({ region: 'xx-lagging-1', name: FactName.LATEST_NODE_RUNTIME, value: 'nodejs22.x' });

    expect(() => readLambdaPlatform('nodejs24.x', 'arm64', 'xx-lagging-1')).toThrow(
      'context lambdaRuntime nodejs24.x is not offered in xx-lagging-1 (the newest Node.js runtime there is nodejs22.x): choose nodejs22.x or older',
    );
    expect(readLambdaPlatform('nodejs22.x', undefined, 'xx-lagging-1')).toEqual({
      runtime: 'nodejs22.x',
      architecture: 'arm64',
    });
  });

  it('refuses a runtime or architecture it does not know', () => {
    expect(() => readLambdaPlatform('nodejs18.x', undefined, undefined)).toThrow(
      'context lambdaRuntime must be one of nodejs24.x, nodejs22.x, nodejs20.x, got "nodejs18.x"',
    );
    expect(() => readLambdaPlatform(undefined, 'riscv64', undefined)).toThrow(
      'context lambdaArchitecture must be one of arm64, x86_64, got "riscv64"',
    );
  });
});
