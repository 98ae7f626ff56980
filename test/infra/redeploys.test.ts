import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnNatGateway, CfnSubnet } from 'aws-cdk-lib/aws-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCredentialStacks } from '../../lib/credential-app.ts';
import { readStageConfig } from '../../lib/stage-config.ts';
import { type SynthesizedApp, synthesizeApp } from '../support/infra.ts';

/**
 * Redeploys that change a context setting. `cdk deploy --all` updates the data stack first, and
 * CloudFormation refuses to delete or change an export that another stack still imports: the
 * running service stack (the "before" one) keeps its imports until its own update, after the data
 * stack's. So for every documented context change, each export the "before" service stack imports
 * must still be in the "after" data stack, unchanged, and every import of the "after" service stack
 * must be there too.
 */

const ACCOUNT = '111122223333';
const REGION = 'ap-southeast-1';
const VPC_ID = 'vpc-0123456789abcdef0';
const REUSED_EIP = 'eipalloc-0123456789abcdef0';

// What `cdk context` records for the VPC lookup of egress=vpc-… (cdk.context.json), so the stage
// synthesizes as it would with credentials instead of with CDK's dummy VPC.
const VPC_LOOKUP = {
  [`vpc-provider:account=${ACCOUNT}:filter.vpc-id=${VPC_ID}:region=${REGION}:returnAsymmetricSubnets=true`]: {
    vpcId: VPC_ID,
    vpcCidrBlock: '10.20.0.0/16',
    ownerAccountId: ACCOUNT,
    availabilityZones: [],
    subnetGroups: [
      {
        name: 'Private',
        type: 'Private',
        subnets: ['a', 'b'].map((zone, index) => ({
          subnetId: `subnet-0${zone.repeat(16)}`,
          cidr: `10.20.${index * 16}.0/20`,
          availabilityZone: `${REGION}${zone}`,
          routeTableId: `rtb-0${zone.repeat(16)}`,
        })),
      },
    ],
  },
};

/** Each documented context setting (docs/deploy.md, Context keys), as `-c` passes it. */
const STAGES: Record<string, Record<string, unknown>> = {
  defaults: {},
  'egress=none': { egress: 'none' },
  'egress=vpc-…': { egress: VPC_ID, ...VPC_LOOKUP },
  egressIpAllocationId: { egressIpAllocationId: REUSED_EIP },
  consumerRoleArns: { consumerRoleArns: `arn:aws:iam::${ACCOUNT}:role/orders` },
  suiteIds: { suiteIds: 'ww1234,dk5678' },
  alarmEmail: { alarmEmail: 'oncall@example.com' },
  logRetentionDays: { logRetentionDays: 30 },
  'callback limits': { callbackRateLimit: 300, callbackBurstLimit: 600 },
  'install limits': {
    installRateLimit: 5,
    installBurstLimit: 10,
    installCompleteRateLimit: 2,
    installCompleteBurstLimit: 4,
  },
  'eventArchiveDays=0': { eventArchiveDays: 0 },
  'eventArchiveDays=7': { eventArchiveDays: 7 },
  eventConsumerBusArns: { eventConsumerBusArns: 'arn:aws:events:ap-southeast-1:444455556666:event-bus/crm' },
  'systemEvents=required': { systemEvents: 'required' },
  domainName: {
    domainName: 'wecom.example.com',
    certificateArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/01234567-89ab-cdef-0123-456789abcdef`,
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  },
  'domainName with a requested certificate': {
    domainName: 'wecom.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  },
};
type StageName = keyof typeof STAGES;

const EGRESS_STAGES: StageName[] = ['defaults', 'egress=none', 'egress=vpc-…', 'egressIpAllocationId'];
const WITHOUT_NAT: StageName[] = ['egress=none', 'egress=vpc-…'];
/** Every ordered pair of egress settings, and each other setting switched on and off again. */
const CHANGES: [StageName, StageName][] = [
  ...EGRESS_STAGES.flatMap((from) =>
    EGRESS_STAGES.filter((to) => to !== from).map((to): [StageName, StageName] => [from, to]),
  ),
  ...Object.keys(STAGES)
    .filter((name) => !EGRESS_STAGES.includes(name))
    .flatMap((name): [StageName, StageName][] => [
      ['defaults', name],
      [name, 'defaults'],
    ]),
  ['domainName', 'domainName with a requested certificate'],
  ['domainName with a requested certificate', 'domainName'],
];

// A test that synthesizes a stage first takes seconds, far more on a busy machine.
const SYNTHESIS = { timeout: 180_000 };

const savedEnv = { ...process.env };
const synthesized = new Map<StageName, SynthesizedApp>();
/** Synthesized once per file; the CLI names the account and region when it has credentials. */
const stage = (name: StageName): SynthesizedApp => {
  let app = synthesized.get(name);
  if (app === undefined) {
    app = synthesizeApp(STAGES[name]);
    synthesized.set(name, app);
  }
  return app;
};

beforeAll(() => {
  process.env.CDK_DEFAULT_ACCOUNT = ACCOUNT;
  process.env.CDK_DEFAULT_REGION = REGION;
});

afterAll(() => {
  process.env = { ...savedEnv };
});

/** The export names a template imports. */
const importsOf = (template: Template): string[] => {
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, entry] of Object.entries(value)) {
        if (key === 'Fn::ImportValue') {
          names.add(typeof entry === 'string' ? entry : JSON.stringify(entry));
        } else {
          walk(entry);
        }
      }
    }
  };
  walk(template.toJSON());
  return [...names].sort();
};

/** Export name → the value the export carries, as synthesized. */
const exportsOf = (template: Template): Map<string, unknown> =>
  new Map(
    Object.values(
      (template.toJSON().Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: unknown } }>,
    ).flatMap((output) =>
      output.Export === undefined
        ? []
        : [
            [
              typeof output.Export.Name === 'string'
                ? output.Export.Name
                : JSON.stringify(output.Export.Name),
              output.Value,
            ] as const,
          ],
    ),
  );

/** The NAT gateway and the resources whose replacement would replace it, by logical id. */
const natOf = (template: Template): Record<string, unknown> => {
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  return Object.fromEntries(
    Object.entries(resources).filter(([, resource]) =>
      ['AWS::EC2::NatGateway', 'AWS::EC2::Subnet', 'AWS::EC2::VPC'].includes(resource.Type),
    ),
  );
};

describe('a context change on a deployed stage', SYNTHESIS, () => {
  it.each(CHANGES)(
    'from %s to %s removes or changes no export the running service stack imports',
    (from, to) => {
      const before = stage(from);
      const after = stage(to);
      const exportsBefore = exportsOf(before.data);
      const exportsAfter = exportsOf(after.data);

      const lost = importsOf(before.service).filter(
        (name) =>
          !exportsAfter.has(name) ||
          JSON.stringify(exportsAfter.get(name)) !== JSON.stringify(exportsBefore.get(name)),
      );
      const unresolved = importsOf(after.service).filter((name) => !exportsAfter.has(name));

      expect(lost, 'exports the data stack update would delete or change while imported').toEqual([]);
      expect(unresolved, 'imports of the updated service stack that no export provides').toEqual([]);
    },
  );

  it.each(CHANGES.filter(([from, to]) => !WITHOUT_NAT.includes(from) && !WITHOUT_NAT.includes(to)))(
    'from %s to %s leaves the NAT gateway, its subnets and its VPC as they were',
    (from, to) => {
      const before = natOf(stage(from).service);

      const after = natOf(stage(to).service);

      // The NAT takes its address from one deploy-time source in every setting: the same address
      // leaves it untouched, and a different one replaces it with that new, free address.
      expect(Object.keys(before)).toContain(Object.keys(before).find((id) => id.includes('NATGateway')));
      expect(after).toEqual(before);
    },
  );

  it('imports only exports that every setting keeps: the Elastic IP is read from a parameter instead', () => {
    const imported = new Set(Object.keys(STAGES).flatMap((name) => importsOf(stage(name).service)));
    const exportSets = Object.keys(STAGES).map((name) => exportsOf(stage(name).data));
    const everywhere = (name: string) => exportSets.every((exported) => exported.has(name));

    expect([...imported].filter((name) => !everywhere(name))).toEqual([]);
    expect(JSON.stringify(stage('defaults').service.toJSON())).not.toMatch(/EgressIpAddress/);
  });
});

describe('the Elastic IP across redeploys', SYNTHESIS, () => {
  it('keeps the exports a service stack of an earlier version imported, so such a stage upgrades with deploy --all', () => {
    // An earlier service stack referred to the address directly: CDK exported what it used.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { data } = addCredentialStacks(app, readStageConfig(app), { data: 'Data', service: 'Service' });
    const earlier = new Stack(app, 'EarlierService');
    new CfnNatGateway(earlier, 'Nat', {
      allocationId: data.egressIp?.allocationId ?? '',
      subnetId: 'subnet-0123456789abcdef0',
    });
    new CfnOutput(earlier, 'Address', { value: data.egressIp?.address ?? '' });

    const imported = importsOf(Template.fromStack(earlier));
    const exported = [...exportsOf(Template.fromStack(data)).keys()].sort();

    // Both are imports of exports the data stack makes anyway, with the names CDK gave them then.
    expect(imported).toHaveLength(2);
    expect(exported).toEqual(expect.arrayContaining(imported));
    expect(exported).toEqual([...exportsOf(stage('defaults').data).keys()].sort());
  });

  it('publishes the allocation id under a name of its data stack, so two stages in one account never share it', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stackPrefix: 'WeComStaging' } });
    const { data, service } = addCredentialStacks(app, readStageConfig(app));

    Template.fromStack(data).hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/wecom-credentials/WeComStagingData/egress-ip-allocation-id',
    });
    expect(service.dependencies).toContain(data);
  });

  it('pins where the NAT gateway is: moving it cannot take the kept address in one deploy (docs/operations.md, Redeploys)', () => {
    const { serviceStack } = stage('defaults');
    const constructs = serviceStack.node.findAll();

    const nats = constructs.filter((node) => node instanceof CfnNatGateway).map((node) => node.node.path);
    const subnet = constructs.find(
      (node): node is CfnSubnet =>
        node instanceof CfnSubnet && node.node.path === 'Service/Egress/Vpc/publicSubnet1/Subnet',
    );

    // CloudFormation creates a replacement NAT before it deletes the old one, and the old one holds
    // the address: a change to any of these needs the two-step move docs/operations.md (Redeploys) describes.
    expect(nats).toEqual(['Service/Egress/Vpc/publicSubnet1/NATGateway']);
    expect(subnet?.cidrBlock).toBe('10.0.0.0/24');
    expect(serviceStack.resolve(subnet?.availabilityZone)).toEqual({
      'Fn::Select': [0, { 'Fn::GetAZs': '' }],
    });
  });
});
