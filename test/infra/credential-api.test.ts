import { Match } from 'aws-cdk-lib/assertions';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYNTH_TIMEOUT_MS, type SynthesizedApp, synthesizeApp } from '../support/infra.ts';

type Template = SynthesizedApp['service'];

const CERTIFICATE_ARN =
  'arn:aws:acm:ap-southeast-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const DOMAIN = { domainName: 'wecom.example.com', certificateArn: CERTIFICATE_ARN };
const ZONE_ID = 'Z0123456789ABCDEFGHIJ';

// The hook synthesizes three apps, and several tests one each: on a busy machine each can take long.
vi.setConfig({ testTimeout: SYNTH_TIMEOUT_MS, hookTimeout: SYNTH_TIMEOUT_MS });

let defaults: SynthesizedApp;
let withDomain: SynthesizedApp;
let withZone: SynthesizedApp;

beforeAll(() => {
  defaults = synthesizeApp();
  withDomain = synthesizeApp(DOMAIN);
  withZone = synthesizeApp({ ...DOMAIN, hostedZoneId: ZONE_ID });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The logical id (hash stripped) of the function behind a route key. */
const functionBehind = (template: Template, routeKey: string): string => {
  const routes = Object.values(
    template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }),
  );
  expect(routes, routeKey).toHaveLength(1);
  const target = routes[0]?.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
  const integration = template.toJSON().Resources[target['Fn::Join'][1][1].Ref];
  const uri = integration?.Properties?.IntegrationUri as { 'Fn::GetAtt': [string, string] };
  return uri['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '');
};

/** An output's value with `<Ref>` / `<Id.Attr>` placeholders (hashes stripped) for the tokens in it. */
const outputText = (template: Template, name: string): string => {
  const value = (template.toJSON().Outputs as Record<string, { Value: unknown }>)[name]?.Value;
  const render = (part: unknown): string => {
    if (typeof part === 'string') {
      return part;
    }
    const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
    if (token.Ref !== undefined) {
      return `<${token.Ref.replace(/[0-9A-F]{8}$/, '')}>`;
    }
    if (token['Fn::GetAtt'] !== undefined) {
      return `<${token['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '')}.${token['Fn::GetAtt'][1]}>`;
    }
    if (token['Fn::Join'] !== undefined) {
      return token['Fn::Join'][1].map(render).join(token['Fn::Join'][0]);
    }
    return JSON.stringify(part);
  };
  return render(value);
};

describe('the install routes', () => {
  it('send GET /install/{suiteId} and its /complete to the install function, and GET /{file} to the callback', () => {
    expect(functionBehind(defaults.service, 'GET /install/{suiteId}')).toBe('InstallFunction');
    expect(functionBehind(defaults.service, 'GET /install/{suiteId}/complete')).toBe('InstallFunction');
    expect(functionBehind(defaults.service, 'GET /{file}')).toBe('CallbackFunction');
    expect(functionBehind(defaults.service, 'POST /callback/{suiteId}/command')).toBe('CallbackFunction');
  });

  it('carry no AWS authorizer, like the callback routes', () => {
    const authorizations = Object.values(defaults.service.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.AuthorizationType,
    );

    expect(new Set(authorizations)).toEqual(new Set(['NONE']));
  });

  it('throttle each install route at 10/s with a burst of 20 and leave the stage default of the callbacks', () => {
    defaults.service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
      RouteSettings: {
        'GET /install/{suiteId}': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
        'GET /install/{suiteId}/complete': { ThrottlingRateLimit: 1, ThrottlingBurstLimit: 5 },
      },
    });
  });

  it('create the stage after the routes its settings name, as API Gateway requires', () => {
    const stages = defaults.service.findResources('AWS::ApiGatewayV2::Stage');
    const dependsOn = Object.values(stages)[0]?.DependsOn as string[];
    const installRoutes = Object.entries(defaults.service.findResources('AWS::ApiGatewayV2::Route'))
      .filter(([, route]) => String(route.Properties.RouteKey).startsWith('GET /install/'))
      .map(([logicalId]) => logicalId);

    expect(installRoutes).toHaveLength(2);
    expect(dependsOn).toEqual(expect.arrayContaining(installRoutes));
  });

  it('take installRateLimit and installBurstLimit from the context, also as -c text', () => {
    const { service } = synthesizeApp({ installRateLimit: '3', installBurstLimit: 6 });

    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: Match.objectLike({
        'GET /install/{suiteId}': { ThrottlingRateLimit: 3, ThrottlingBurstLimit: 6 },
      }),
    });
  });

  it('throttle the completion route on its own (installCompleteRateLimit / installCompleteBurstLimit)', () => {
    const { service } = synthesizeApp({ installCompleteRateLimit: '2', installCompleteBurstLimit: 4 });

    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: Match.objectLike({
        'GET /install/{suiteId}/complete': { ThrottlingRateLimit: 2, ThrottlingBurstLimit: 4 },
      }),
    });
    expect(() => synthesizeApp({ installCompleteRateLimit: 0 })).toThrow(
      /context installCompleteRateLimit must be a positive whole number/,
    );
  });

  it('reject an installRateLimit or installBurstLimit that is not a positive whole number', () => {
    for (const bad of [0, -1, 2.5, 'slow', '']) {
      expect(() => synthesizeApp({ installRateLimit: bad })).toThrow(
        /context installRateLimit must be a positive whole number/,
      );
      expect(() => synthesizeApp({ installBurstLimit: bad })).toThrow(
        /context installBurstLimit must be a positive whole number/,
      );
    }
  });

  it('leave 429s and 5xx of the install routes out of the callback alarms, counting every other route', () => {
    for (const [metricName, status] of [
      ['CallbackThrottled', '429'],
      ['CallbackServerError', '5*'],
    ]) {
      defaults.service.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: `{ ($.status = "${status}") && ($.routeKey != "*/install/*") }`,
        MetricTransformations: [
          Match.objectLike({ MetricName: metricName, Dimensions: [{ Key: 'apiId', Value: '$.apiId' }] }),
        ],
      });
    }
  });
});

describe('the install function', () => {
  it('runs behind the NAT like the token functions, with a 10-second timeout for the browser waiting on it', () => {
    defaults.service.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 10,
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'install',
          TABLE_NAME: Match.anyValue(),
          WECOM_CONFIG_SECRET: Match.anyValue(),
        }),
      },
    });
  });

  it('alarms on all its errors and on WeCom refusing its calls', () => {
    defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^InstallFunction') } }],
    });
    defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'WeComError',
      Dimensions: [
        { Name: 'service', Value: 'install' },
        { Name: 'stage', Value: 'WeComCredentials' },
      ],
      Threshold: 5,
    });
  });
});

describe('without a custom domain', () => {
  it('creates no domain, mapping or record, and keeps the execute-api endpoint', () => {
    for (const type of [
      'AWS::ApiGatewayV2::DomainName',
      'AWS::ApiGatewayV2::ApiMapping',
      'AWS::Route53::RecordSet',
    ]) {
      defaults.service.resourceCountIs(type, 0);
    }
    defaults.service.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      DisableExecuteApiEndpoint: Match.absent(),
    });
  });

  it('prints every URL on the execute-api host', () => {
    const host = '<CallbacksApi>.execute-api.<AWS::Region>.<AWS::URLSuffix>';

    expect(outputText(defaults.service, 'CommandCallbackUrl')).toBe(
      `https://${host}/callback/{suiteId}/command`,
    );
    expect(outputText(defaults.service, 'DataCallbackUrl')).toBe(
      `https://${host}/callback/{suiteId}/data?corpid=$CORPID$`,
    );
    expect(outputText(defaults.service, 'SystemEventUrl')).toBe(`https://${host}/callback/provider/system`);
    expect(outputText(defaults.service, 'InstallUrl')).toBe(`https://${host}/install/{suiteId}`);
    expect(outputText(defaults.service, 'InstallRedirectDomain')).toBe(host);
    expect(outputText(defaults.service, 'VerifyFileUrl')).toBe(`https://${host}/WW_verify_{name}.txt`);
    expect(Object.keys(defaults.service.toJSON().Outputs)).not.toContain('CustomDomainTarget');
  });
});

describe('with domainName and certificateArn', () => {
  it('gives the API a regional, TLS 1.2, dual-stack domain with the imported certificate', () => {
    withDomain.service.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'wecom.example.com',
      DomainNameConfigurations: [
        {
          CertificateArn: CERTIFICATE_ARN,
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
          IpAddressType: 'dualstack',
        },
      ],
    });
    withDomain.service.resourceCountIs('AWS::CertificateManager::Certificate', 0);
  });

  it("maps the domain's root to the API's default stage, created after it", () => {
    const stage = Object.keys(withDomain.service.findResources('AWS::ApiGatewayV2::Stage'))[0];

    withDomain.service.hasResource('AWS::ApiGatewayV2::ApiMapping', {
      Properties: {
        ApiId: { Ref: Match.stringLikeRegexp('^CallbacksApi') },
        DomainName: { Ref: Match.stringLikeRegexp('^CallbacksDomainDomainName') },
        Stage: '$default',
      },
      DependsOn: [stage],
    });
  });

  it('prints every URL on the domain, and the regional name to point a CNAME at', () => {
    const { service } = withDomain;

    expect(outputText(service, 'CommandCallbackUrl')).toBe(
      'https://wecom.example.com/callback/{suiteId}/command',
    );
    expect(outputText(service, 'DataCallbackUrl')).toBe(
      'https://wecom.example.com/callback/{suiteId}/data?corpid=$CORPID$',
    );
    expect(outputText(service, 'InstallUrl')).toBe('https://wecom.example.com/install/{suiteId}');
    expect(outputText(service, 'InstallRedirectDomain')).toBe('wecom.example.com');
    expect(outputText(service, 'VerifyFileUrl')).toBe('https://wecom.example.com/WW_verify_{name}.txt');
    expect(outputText(service, 'CustomDomainTarget')).toBe('<CallbacksDomainDomainName.RegionalDomainName>');
    service.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('keeps the execute-api endpoint, so URLs registered before the domain keep working', () => {
    withDomain.service.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      DisableExecuteApiEndpoint: Match.absent(),
    });
  });

  it('takes the domain name in any case and without surrounding spaces', () => {
    const { service } = synthesizeApp({ ...DOMAIN, domainName: ' WeCom.Example.COM ' });

    service.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'wecom.example.com' });
  });
});

describe('with domainName, certificateArn and hostedZoneId', () => {
  it('adds A and AAAA alias records for the domain to that zone, pointing at the regional domain', () => {
    for (const type of ['A', 'AAAA']) {
      withZone.service.hasResourceProperties('AWS::Route53::RecordSet', {
        HostedZoneId: ZONE_ID,
        Name: 'wecom.example.com.',
        Type: type,
        AliasTarget: {
          DNSName: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^CallbacksDomainDomainName'), 'RegionalDomainName'],
          },
          HostedZoneId: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^CallbacksDomainDomainName'), 'RegionalHostedZoneId'],
          },
        },
      });
    }
    withZone.service.resourceCountIs('AWS::Route53::RecordSet', 2);
  });

  it('prints the URLs on the domain and no CNAME target', () => {
    expect(outputText(withZone.service, 'InstallUrl')).toBe('https://wecom.example.com/install/{suiteId}');
    expect(Object.keys(withZone.service.toJSON().Outputs)).not.toContain('CustomDomainTarget');
  });

  it('accepts the zone id as Route 53 prints it, /hostedzone/ prefix included', () => {
    const { service } = synthesizeApp({ ...DOMAIN, hostedZoneId: `/hostedzone/${ZONE_ID}` });

    service.hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: ZONE_ID, Type: 'A' });
  });
});

describe('custom domain settings', () => {
  it('rejects a certificateArn or hostedZoneId without domainName', () => {
    expect(() => synthesizeApp({ certificateArn: CERTIFICATE_ARN })).toThrow(
      "context certificateArn needs domainName: they configure the API's own domain",
    );
    expect(() => synthesizeApp({ hostedZoneId: ZONE_ID })).toThrow(
      "context hostedZoneId needs domainName: they configure the API's own domain",
    );
  });

  it('rejects a domainName without certificateArn or hostedZoneId, naming what to provide', () => {
    expect(() => synthesizeApp({ domainName: 'wecom.example.com' })).toThrow(
      "context domainName needs certificateArn or hostedZoneId: an ACM certificate for wecom.example.com in the stack's region",
    );
  });

  it('rejects a domainName that is not a host name', () => {
    for (const bad of [
      'https://wecom.example.com',
      'wecom.example.com/',
      'wecom.example.com:443',
      '*.example.com',
      'localhost',
      'wecom..example.com',
      '-wecom.example.com',
      'wecom.example.com.',
    ]) {
      expect(() => synthesizeApp({ ...DOMAIN, domainName: bad })).toThrow(
        `context domainName must be a host name such as wecom.example.com (no scheme, path, port or wildcard), got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('rejects a certificateArn that is not an ACM certificate ARN', () => {
    for (const bad of [
      'arn:aws:iam::123456789012:server-certificate/wecom',
      'arn:aws:acm:ap-southeast-1:123456789012:certificate/wecom',
      'arn:aws:acm:ap-southeast-1:12345:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    ]) {
      expect(() => synthesizeApp({ ...DOMAIN, certificateArn: bad })).toThrow(
        `context certificateArn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>), got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('accepts certificates in the China and GovCloud partitions', () => {
    for (const certificateArn of [
      'arn:aws-cn:acm:cn-north-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      'arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    ]) {
      expect(() => synthesizeApp({ ...DOMAIN, certificateArn })).not.toThrow();
    }
  });

  it('rejects a hostedZoneId that is not a Route 53 zone id', () => {
    for (const bad of ['example.com', 'z0123456789', 'Z0123 456']) {
      expect(() => synthesizeApp({ ...DOMAIN, hostedZoneId: bad })).toThrow(
        `context hostedZoneId must be a Route 53 hosted zone id (Z…), got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('rejects a certificate of another region than the one cdk deploys to', () => {
    vi.stubEnv('CDK_DEFAULT_REGION', 'us-east-1');
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '123456789012');

    expect(() => synthesizeApp(DOMAIN)).toThrow(
      "context certificateArn is a certificate in ap-southeast-1, but the stacks deploy to us-east-1: API Gateway needs one in the API's own region (request or import it there in ACM)",
    );
  });

  it('rejects a certificate of another account than the one cdk deploys to', () => {
    vi.stubEnv('CDK_DEFAULT_REGION', 'ap-southeast-1');
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '210987654321');

    expect(() => synthesizeApp(DOMAIN)).toThrow(
      'context certificateArn belongs to account 123456789012, but the stacks deploy to 210987654321: API Gateway needs a certificate of its own account',
    );
  });

  it('compares nothing without credentials, when the CLI names a region but no account', () => {
    vi.stubEnv('CDK_DEFAULT_REGION', 'us-east-1');
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', undefined);

    expect(() => synthesizeApp(DOMAIN)).not.toThrow();
  });

  it('accepts a certificate of the region and account cdk deploys to', () => {
    vi.stubEnv('CDK_DEFAULT_REGION', 'ap-southeast-1');
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '123456789012');

    expect(() => synthesizeApp(DOMAIN)).not.toThrow();
  });
});

describe('cdk-nag with a custom domain', () => {
  it('finds nothing unacknowledged with a domain and a hosted zone', () => {
    const { app } = synthesizeApp({ ...DOMAIN, hostedZoneId: ZONE_ID }, { nag: true });

    expect(() => app.synth()).not.toThrow();
  });

  it('finds nothing unacknowledged with a domain and no zone', () => {
    const { app } = synthesizeApp(DOMAIN, { nag: true });

    expect(() => app.synth()).not.toThrow();
  });
});
