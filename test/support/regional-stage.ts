import { readFileSync } from 'node:fs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { SIMULATED_ACCOUNT } from './template-resolver.ts';

/** The two AWS China regions: Beijing (Sinnet) and Ningxia (NWCD). */
export const CHINA_REGIONS = ['cn-north-1', 'cn-northwest-1'] as const;

/** A global region to hold the China templates against. */
export const GLOBAL_REGION = 'ap-southeast-1';

/** The custom domain of the regional stages (a China stage requires one: ICP). */
export const REGIONAL_DOMAIN = 'wecom.example.cn';

/** A Route 53 zone id for the regional stages' alias records. */
export const REGIONAL_ZONE_ID = 'Z0123456789ABCDEFGHIJ';

/** The partition and domain suffix CDK's region facts give a region. */
export const partitionFacts = (region: string): { partition: string; urlSuffix: string } => {
  const info = RegionInfo.get(region);
  if (info.partition === undefined || info.domainSuffix === undefined) {
    throw new Error(`aws-cdk-lib's region facts know no partition for ${region}`);
  }
  return { partition: info.partition, urlSuffix: info.domainSuffix };
};

// cdk.json's context, feature flags included: what `cdk synth` reads, and the app alone does not.
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * The context of a stage pinned to `region` as docs/china.md says to deploy one (`-c region=… -c
 * account=…` with the domain and its certificate in that region), on top of cdk.json, so the
 * templates are the ones `cdk synth` writes.
 */
export const regionalContext = (
  region: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  ...CDK_JSON_CONTEXT,
  region,
  account: SIMULATED_ACCOUNT,
  domainName: REGIONAL_DOMAIN,
  certificateArn: `arn:${partitionFacts(region).partition}:acm:${region}:${SIMULATED_ACCOUNT}:certificate/0f0e0d0c-0b0a-4908-8706-050403020100`,
  hostedZoneId: REGIONAL_ZONE_ID,
  ...extra,
});
