import { Match } from 'aws-cdk-lib/assertions';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYNTH_TIMEOUT_MS, type SynthesizedApp, synthesizeApp } from '../support/infra.ts';
import {
  CHINA_REGIONS,
  partitionFacts,
  REGIONAL_DOMAIN,
  REGIONAL_ZONE_ID,
  regionalContext,
} from '../support/regional-stage.ts';

// The certificate the stack requests when a stage names its domain and hosted zone but no
// certificateArn (docs/deploy.md, The API's own domain).
vi.setConfig({ testTimeout: SYNTH_TIMEOUT_MS, hookTimeout: SYNTH_TIMEOUT_MS });

type Template = SynthesizedApp['service'];

const CERTIFICATE_ARN =
  'arn:aws:acm:ap-southeast-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const ZONE_ID = 'Z0123456789ABCDEFGHIJ';
const REQUESTED = { domainName: 'wecom.example.com', hostedZoneId: ZONE_ID };

let requested: SynthesizedApp;
let imported: SynthesizedApp;

beforeAll(() => {
  vi.stubEnv('CDK_DEFAULT_ACCOUNT', undefined);
  vi.stubEnv('CDK_DEFAULT_REGION', undefined);
  requested = synthesizeApp(REQUESTED, { nag: true });
  imported = synthesizeApp({ ...REQUESTED, certificateArn: CERTIFICATE_ARN });
  vi.unstubAllEnvs();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Logical ids of a template's resources of one type. */
const idsOf = (template: Template, type: string): string[] => Object.keys(template.findResources(type));

describe('with domainName and hostedZoneId but no certificateArn', () => {
  it('requests one ACM certificate for the domain, validated by DNS in the given zone', () => {
    requested.service.resourceCountIs('AWS::CertificateManager::Certificate', 1);
    requested.service.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'wecom.example.com',
      SubjectAlternativeNames: Match.absent(),
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'wecom.example.com', HostedZoneId: ZONE_ID }],
    });
  });

  it('serves the API on a regional domain with that certificate', () => {
    const [certificate] = idsOf(requested.service, 'AWS::CertificateManager::Certificate');

    requested.service.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'wecom.example.com',
      DomainNameConfigurations: [
        {
          CertificateArn: { Ref: certificate },
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
          IpAddressType: 'dualstack',
        },
      ],
    });
  });

  it('adds the A and AAAA alias records to the same zone and prints no CNAME target', () => {
    for (const type of ['A', 'AAAA']) {
      requested.service.hasResourceProperties('AWS::Route53::RecordSet', {
        HostedZoneId: ZONE_ID,
        Name: 'wecom.example.com.',
        Type: type,
      });
    }
    requested.service.resourceCountIs('AWS::Route53::RecordSet', 2);
    expect(Object.keys(requested.service.toJSON().Outputs)).not.toContain('CustomDomainTarget');
  });

  it('keeps the certificate in the service stack beside its domain, and the data stack as it was', () => {
    requested.data.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    expect(requested.data.toJSON()).toEqual(imported.data.toJSON());
  });

  it('keeps the logical ids of the domain, its mapping and records, so switching the certificate updates them in place', () => {
    // A replaced domain would be created again under the same name before the old one is deleted,
    // which API Gateway refuses.
    for (const type of [
      'AWS::ApiGatewayV2::DomainName',
      'AWS::ApiGatewayV2::ApiMapping',
      'AWS::Route53::RecordSet',
    ]) {
      expect(idsOf(requested.service, type)).toEqual(idsOf(imported.service, type));
    }
  });

  it('validates in the zone Route 53 prints, /hostedzone/ prefix included', () => {
    const { service } = synthesizeApp({ ...REQUESTED, hostedZoneId: `/hostedzone/${ZONE_ID}` });

    service.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainValidationOptions: [{ DomainName: 'wecom.example.com', HostedZoneId: ZONE_ID }],
    });
  });

  it('finds nothing unacknowledged under the cdk-nag AwsSolutions checks', () => {
    expect(() => requested.app.synth()).not.toThrow();
  });

  it('refuses a domain name longer than a requested certificate may name, pointing to certificateArn', () => {
    const long = `${'a'.repeat(60)}.example.com`;

    expect(() => synthesizeApp({ ...REQUESTED, domainName: long })).toThrow(
      `context domainName ${long} is 72 characters, longer than the 64 a certificate the stack requests may name: request one covering it yourself and pass certificateArn`,
    );
    expect(() => synthesizeApp({ domainName: long, certificateArn: CERTIFICATE_ARN })).not.toThrow();
  });
});

describe('with certificateArn', () => {
  it('requests no certificate, with or without a hosted zone, and serves the domain with the given one', () => {
    const { service } = synthesizeApp({ domainName: 'wecom.example.com', certificateArn: CERTIFICATE_ARN });

    for (const template of [service, imported.service]) {
      template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
      template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainNameConfigurations: [Match.objectLike({ CertificateArn: CERTIFICATE_ARN })],
      });
    }
  });
});

describe('a domainName with neither', () => {
  it('is refused, naming both ways to give it a certificate', () => {
    expect(() => synthesizeApp({ domainName: 'wecom.example.com' })).toThrow(
      "context domainName needs certificateArn or hostedZoneId: an ACM certificate for wecom.example.com in the stack's region, or a Route 53 hosted zone serving wecom.example.com in which the stack requests and DNS-validates one",
    );
  });

  it('is refused in AWS China too, where the domain is required, and the refusal of no domain names both ways', () => {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', undefined);
    vi.stubEnv('CDK_DEFAULT_REGION', undefined);

    for (const region of CHINA_REGIONS) {
      expect(() =>
        synthesizeApp(regionalContext(region, { certificateArn: undefined, hostedZoneId: undefined })),
      ).toThrow(
        `context domainName needs certificateArn or hostedZoneId: an ACM certificate for ${REGIONAL_DOMAIN}`,
      );
      expect(() => synthesizeApp({ region })).toThrow(
        'set domainName, with certificateArn or hostedZoneId (docs/china.md)',
      );
    }
  });
});

describe.each(CHINA_REGIONS)('the China stage in %s with a requested certificate', (region) => {
  let china: SynthesizedApp;

  beforeAll(() => {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', undefined);
    vi.stubEnv('CDK_DEFAULT_REGION', undefined);
    china = synthesizeApp(regionalContext(region, { certificateArn: undefined }), { nag: true });
    vi.unstubAllEnvs();
  });

  it('requests the certificate in its own region, validated in its zone, for the API domain', () => {
    const [certificate] = idsOf(china.service, 'AWS::CertificateManager::Certificate');

    china.service.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: REGIONAL_DOMAIN,
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: REGIONAL_DOMAIN, HostedZoneId: REGIONAL_ZONE_ID }],
    });
    china.service.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: REGIONAL_DOMAIN,
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: { Ref: certificate } })],
    });
    expect(china.serviceStack.region).toBe(region);
  });

  it('names only its own partition in every literal ARN', () => {
    const text = JSON.stringify([china.data.toJSON(), china.service.toJSON()]);

    const partitions = new Set([...text.matchAll(/arn:(aws[a-z-]*):/g)].map((match) => match[1]));

    expect([...partitions]).toEqual([partitionFacts(region).partition]);
  });

  it('finds nothing unacknowledged under the cdk-nag AwsSolutions checks', () => {
    expect(() => china.app.synth()).not.toThrow();
  });
});
