import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { ServiceName } from '../../functions/wiring/service-runtime.ts';
import { type IamRequest, type IamResource, SIMULATED_REGION } from '../support/aws-call-recorder.ts';
import { synthesizeApp } from '../support/infra.ts';
import { partitionFacts, regionalContext } from '../support/regional-stage.ts';
import { FUNCTION_IDS } from '../support/service-functions.ts';
import { SIMULATED_ACCOUNT, type TemplateJson, TemplateResolver } from '../support/template-resolver.ts';

/** A request to evaluate: a recorded call, an AWS-side need or a negative case. */
export type SimulatedRequest = Omit<IamRequest, 'command'> & {
  /** Name a resource of the same kind that is not ours (another table, key, secret, bus or queue). */
  readonly elsewhere?: boolean;
};

type Policy = { readonly Version: string; readonly Statement: readonly Statement[] };
type Statement = {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: unknown;
  readonly Resource?: string | readonly string[];
  readonly NotResource?: unknown;
};

/** The synthesized stacks as IAM would judge them, in one account and region. */
export interface IamSimulation {
  /** The decision AWS would make for the request, with the role's, the resource's and the key's policies. */
  evaluate(request: SimulatedRequest): Promise<'Allowed' | 'Denied'>;
  /** What the role's own policies allow, as `action on resource` (resources by name, `*` as `any`). */
  grantsOf(service: ServiceName): string[];
  /** The names of the AWS managed policies attached to the role. */
  managedPoliciesOf(service: ServiceName): string[];
  /** Whether the function runs in the VPC (and so needs to manage its network interfaces). */
  inVpc(service: ServiceName): boolean;
}

const SERVICES = Object.keys(FUNCTION_IDS) as ServiceName[];

const arrayOf = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];

/**
 * A request as it reaches IAM in `region`: the calls were recorded in SIMULATED_REGION, and what
 * names a region in their context (`kms:ViaService`: `dynamodb.<region>.amazonaws.com`, the form
 * KMS documents for every partition) names the simulated one instead.
 */
const inRegion = (request: SimulatedRequest, region: string): SimulatedRequest => ({
  ...request,
  context: Object.fromEntries(
    Object.entries(request.context).map(([name, value]) => [
      name,
      typeof value === 'string'
        ? value.replace(`.${SIMULATED_REGION}.`, `.${region}.`)
        : value.map((entry) => entry.replace(`.${SIMULATED_REGION}.`, `.${region}.`)),
    ]),
  ),
});

/**
 * Synthesizes the app as bin/app.ts does and prepares the IAM judgement of its roles: identity
 * policies per role, the key policy for KMS actions and the dead-letter queue's policy for SQS ones.
 * Without a region, the environment-agnostic stage (the default `cdk synth`), judged in
 * SIMULATED_REGION; with one, the stage pinned there as docs/china.md deploys it, judged in that
 * region's partition (`aws-cn` for China) with the ARNs and endpoint suffix CDK's region facts give it.
 * @throws when a resource or role the contract relies on is missing from the templates
 */
export const simulateSynthesizedApp = (pinnedRegion?: string): IamSimulation => {
  const synthesized = synthesizeApp(pinnedRegion === undefined ? {} : regionalContext(pinnedRegion));
  const data = synthesized.data.toJSON() as TemplateJson;
  const service = synthesized.service.toJSON() as TemplateJson;
  const region = pinnedRegion ?? SIMULATED_REGION;
  const names = partitionFacts(region);
  const resolver = new TemplateResolver([data, service], region, SIMULATED_ACCOUNT, names);
  const logicalIdOf = (template: TemplateJson, type: string, prefix = ''): string => {
    const id = Object.entries(template.Resources).find(
      ([logicalId, resource]) => resource.Type === type && logicalId.startsWith(prefix),
    )?.[0];
    if (id === undefined) {
      throw new Error(`no ${type} ${prefix} in the template`);
    }
    return id;
  };
  const templateWith = (type: string): TemplateJson => {
    const template = [data, service].find((candidate) =>
      Object.values(candidate.Resources).some((resource) => resource.Type === type),
    );
    if (template === undefined) {
      throw new Error(`no ${type} in the templates`);
    }
    return template;
  };
  const table = logicalIdOf(data, 'AWS::DynamoDB::Table');
  const key = logicalIdOf(data, 'AWS::KMS::Key');
  const queue = logicalIdOf(service, 'AWS::SQS::Queue', 'AuthExchangeDeadLetters');
  const busTemplate = templateWith('AWS::Events::EventBus');
  const arns: Record<IamResource, string> = {
    table: resolver.arnOf(table, data),
    stream: resolver.arnOf(table, data, 'StreamArn'),
    'table-key': resolver.arnOf(key, data),
    'config-secret': resolver.arnOf(logicalIdOf(data, 'AWS::SecretsManager::Secret'), data),
    'dead-letter-queue': resolver.arnOf(queue, service),
    'event-bus': resolver.arnOf(logicalIdOf(busTemplate, 'AWS::Events::EventBus'), busTemplate),
    any: '*',
  };
  const account = `${region}:${SIMULATED_ACCOUNT}`;
  const arn = `arn:${names.partition}`;
  const elsewhere: Record<IamResource, string> = {
    table: `${arn}:dynamodb:${account}:table/AnotherTable`,
    stream: `${arn}:dynamodb:${account}:table/AnotherTable/stream/2026-01-01T00:00:00.000`,
    'table-key': `${arn}:kms:${account}:key/0f0e0d0c-another-key`,
    'config-secret': `${arn}:secretsmanager:${account}:secret:AnotherSecret-XyZ123`,
    'dead-letter-queue': `${arn}:sqs:${account}:AnotherQueue`,
    'event-bus': `${arn}:events:${account}:event-bus/default`,
    any: '*',
  };
  const nameOf = new Map(Object.entries(arns).map(([name, arn]) => [arn, name]));

  const keyPolicy = resolver.resolve(data.Resources[key]?.Properties?.KeyPolicy, data) as Policy;
  const queuePolicyId = logicalIdOf(service, 'AWS::SQS::QueuePolicy', 'AuthExchangeDeadLetters');
  const queuePolicy = resolver.resolve(
    service.Resources[queuePolicyId]?.Properties?.PolicyDocument,
    service,
  ) as Policy;
  const functionOf = (name: ServiceName) =>
    service.Resources[logicalIdOf(service, 'AWS::Lambda::Function', FUNCTION_IDS[name])];
  const roleOf = (name: ServiceName): string => {
    const role = functionOf(name)?.Properties?.Role as { 'Fn::GetAtt': [string, string] } | undefined;
    if (role === undefined) {
      throw new Error(`no role for ${name}`);
    }
    return role['Fn::GetAtt'][0];
  };
  const policiesOf = (role: string): { name: string; policy: Policy }[] =>
    Object.entries(service.Resources)
      .filter(
        ([, resource]) =>
          resource.Type === 'AWS::IAM::Policy' &&
          ((resource.Properties?.Roles ?? []) as { Ref?: string }[]).some((entry) => entry.Ref === role),
      )
      .map(([logicalId, resource]) => ({
        name: logicalId,
        policy: resolver.resolve(resource.Properties?.PolicyDocument, service) as Policy,
      }));
  const roles = new Map(SERVICES.map((name) => [name, roleOf(name)]));
  const roleFor = (name: ServiceName): string => {
    const role = roles.get(name);
    if (role === undefined) {
      throw new Error(`${name} is not a function of the service stack`);
    }
    return role;
  };

  const resourcePolicyFor = (action: string): Policy | undefined =>
    action.startsWith('kms:') ? keyPolicy : action.startsWith('sqs:') ? queuePolicy : undefined;

  return {
    async evaluate(recorded) {
      const request = inRegion(recorded, region);
      const role = roleFor(request.service as ServiceName);
      const resourcePolicy = resourcePolicyFor(request.action);
      const result = await runSimulation(
        {
          identityPolicies: policiesOf(role),
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
          request: {
            action: request.action,
            principal: resolver.arnOf(role, service),
            resource: {
              resource: (request.elsewhere === true ? elsewhere : arns)[request.resource],
              accountId: SIMULATED_ACCOUNT,
            },
            contextVariables: Object.fromEntries(
              Object.entries(request.context).map(([name, value]) => [
                name,
                typeof value === 'string' ? value : [...value],
              ]),
            ),
          },
        },
        {},
      );
      if (result.resultType !== 'single') {
        throw new Error(`simulation failed for ${request.action}: ${JSON.stringify(result).slice(0, 500)}`);
      }
      // A context key the action does not support would be ignored, and prove nothing.
      const ignored = result.result.ignoredContextKeys ?? [];
      if (ignored.length > 0) {
        throw new Error(`${request.action} does not support the context keys ${ignored.join(', ')}`);
      }
      return result.overallResult === 'Allowed' ? 'Allowed' : 'Denied';
    },

    grantsOf(name) {
      return policiesOf(roleFor(name)).flatMap(({ name: policy, policy: document }) =>
        document.Statement.flatMap((statement) => {
          if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
            throw new Error(
              `${policy} has a NotAction or NotResource statement: the contract cannot list it`,
            );
          }
          if (statement.Effect !== 'Allow') {
            return [];
          }
          return arrayOf(statement.Action).flatMap((action) =>
            arrayOf(statement.Resource).map(
              (resource) => `${action} on ${nameOf.get(String(resource)) ?? String(resource)}`,
            ),
          );
        }),
      );
    },

    managedPoliciesOf(name) {
      const role = service.Resources[roleFor(name)];
      return arrayOf(resolver.resolve(role?.Properties?.ManagedPolicyArns, service) as string[]).map(
        (arn) => arn.split('/').at(-1) ?? arn,
      );
    },

    inVpc(name) {
      return functionOf(name)?.Properties?.VpcConfig !== undefined;
    },
  };
};
