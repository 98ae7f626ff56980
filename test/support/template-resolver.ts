/** A synthesized CloudFormation template, as `Template.toJSON()` returns it. */
export interface TemplateJson {
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown> }
  >;
  readonly Outputs?: Record<
    string,
    { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }
  >;
}

export const SIMULATED_ACCOUNT = '111122223333';

/** The partition of a region's ARNs and the suffix of its endpoints (`aws-cn`, `amazonaws.com.cn`). */
export interface PartitionNames {
  readonly partition: string;
  readonly urlSuffix: string;
}

const GLOBAL_PARTITION: PartitionNames = { partition: 'aws', urlSuffix: 'amazonaws.com' };

/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub,
 * Fn::ImportValue across the given templates) to concrete values, as if the stacks were deployed
 * in one account and region of one partition. Physical names are the logical ids, so a resolved
 * ARN says which resource it is.
 */
export class TemplateResolver {
  private readonly partition: string;
  private readonly urlSuffix: string;

  constructor(
    private readonly templates: readonly TemplateJson[],
    private readonly region: string,
    private readonly account = SIMULATED_ACCOUNT,
    names: PartitionNames = GLOBAL_PARTITION,
  ) {
    this.partition = names.partition;
    this.urlSuffix = names.urlSuffix;
  }

  resolve(value: unknown, template: TemplateJson): unknown {
    if (Array.isArray(value)) {
      return value.map((entry) => this.resolve(entry, template));
    }
    if (typeof value !== 'object' || value === null) {
      return value;
    }
    const entries = Object.entries(value);
    const [key, argument] = entries[0] ?? ['', undefined];
    if (entries.length === 1 && (key === 'Ref' || key.startsWith('Fn::'))) {
      return this.#intrinsic(key, argument, template);
    }
    return Object.fromEntries(entries.map(([name, entry]) => [name, this.resolve(entry, template)]));
  }

  /** The ARN a resource of `template` would have. */
  arnOf(logicalId: string, template: TemplateJson, attribute = 'Arn'): string {
    const type = template.Resources[logicalId]?.Type;
    const { region, account, partition } = this;
    switch (`${type}.${attribute}`) {
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:${partition}:dynamodb:${region}:${account}:table/${logicalId}`;
      case 'AWS::DynamoDB::Table.StreamArn':
        return `arn:${partition}:dynamodb:${region}:${account}:table/${logicalId}/stream/2026-01-01T00:00:00.000`;
      case 'AWS::KMS::Key.Arn':
        return `arn:${partition}:kms:${region}:${account}:key/${logicalId}`;
      case 'AWS::IAM::Role.Arn':
        return `arn:${partition}:iam::${account}:role/${logicalId}`;
      case 'AWS::SQS::Queue.Arn':
        return `arn:${partition}:sqs:${region}:${account}:${logicalId}`;
      case 'AWS::Events::EventBus.Arn':
        return `arn:${partition}:events:${region}:${account}:event-bus/${logicalId}`;
      case 'AWS::SecretsManager::Secret.Arn':
        return `arn:${partition}:secretsmanager:${region}:${account}:secret:${logicalId}-AbCdEf`;
      default:
        return `arn:${partition}:${String(type).split('::')[1]?.toLowerCase()}:${region}:${account}:${logicalId}/${attribute}`;
    }
  }

  #intrinsic(name: string, argument: unknown, template: TemplateJson): unknown {
    switch (name) {
      case 'Ref':
        return this.#ref(String(argument), template);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = argument as [string, string];
        return this.arnOf(logicalId, template, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (this.resolve(parts, template) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number, unknown];
        return (this.resolve(list, template) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return String(this.resolve(text, template)).split(separator);
      }
      case 'Fn::Sub':
        return String(argument).replace(/\$\{([^}]+)\}/g, (_, reference: string) =>
          String(
            reference.includes('.')
              ? this.arnOf(reference.split('.')[0] ?? '', template, reference.split('.')[1])
              : this.#ref(reference, template),
          ),
        );
      case 'Fn::ImportValue':
        return this.#import(String(this.resolve(argument, template)));
      default:
        throw new Error(`cannot resolve ${name}`);
    }
  }

  #ref(name: string, template: TemplateJson): string {
    const pseudo: Record<string, string> = {
      'AWS::Partition': this.partition,
      'AWS::Region': this.region,
      'AWS::AccountId': this.account,
      'AWS::URLSuffix': this.urlSuffix,
      'AWS::StackId': `arn:${this.partition}:cloudformation:${this.region}:${this.account}:stack/WeComCredentialsData/0f0e0d0c-0b0a-4908-8706-050403020100`,
    };
    const value = pseudo[name];
    if (value !== undefined) {
      return value;
    }
    const type = template.Resources[name]?.Type;
    if (type === 'AWS::SecretsManager::Secret') {
      return this.arnOf(name, template);
    }
    if (type === 'AWS::SQS::Queue') {
      return `https://sqs.${this.region}.${this.urlSuffix}/${this.account}/${name}`;
    }
    return name;
  }

  #import(exportName: string): unknown {
    for (const template of this.templates) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export !== undefined && this.resolve(output.Export.Name, template) === exportName) {
          return this.resolve(output.Value, template);
        }
      }
    }
    throw new Error(`no stack exports ${exportName}`);
  }
}
