import { CfnOutput, Stack } from 'aws-cdk-lib';
import {
  ApiMapping,
  DomainName,
  EndpointType,
  type HttpApi,
  IpAddressType,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';

export interface CredentialApiDomainProps {
  /** The API whose default stage the domain serves. */
  readonly api: HttpApi;
  /** The host name, e.g. `wecom.example.com` (validated by readStageConfig). */
  readonly domainName: string;
  /** An ACM certificate for `domainName` in the stack's account and region. */
  readonly certificateArn: string;
  /**
   * A Route 53 public hosted zone serving `domainName`: alias records are added there.
   * @default none: the `CustomDomainTarget` output names the target of a CNAME to create by hand
   */
  readonly hostedZoneId?: string;
}

/**
 * The API's own domain (docs/architecture.md, The API's own domain): a regional API Gateway domain with the given certificate
 * (TLS 1.2, IPv4 and IPv6), mapped to the API's default stage, and either alias records in the
 * given hosted zone or an output naming the target of a CNAME.
 *
 * WeCom checks its callback, install-redirect and OAuth domains against the provider's verified
 * domains, so a production stage needs one; the execute-api host cannot be verified.
 */
export class CredentialApiDomain extends Construct {
  readonly domainName: DomainName;

  constructor(scope: Construct, id: string, props: CredentialApiDomainProps) {
    super(scope, id);
    const stage = props.api.defaultStage;
    if (stage === undefined) {
      throw new Error('CredentialApiDomain maps the default stage; the API has none');
    }
    this.domainName = new DomainName(this, 'DomainName', {
      domainName: props.domainName,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      endpointType: EndpointType.REGIONAL,
      securityPolicy: SecurityPolicy.TLS_1_2,
      // Browsers reach the install routes from IPv6-only mobile networks too; the API behind the
      // domain stays IPv4, which a dual-stack domain may map.
      ipAddressType: IpAddressType.DUAL_STACK,
    });
    new ApiMapping(this, 'DefaultStage', { api: props.api, domainName: this.domainName, stage });

    if (props.hostedZoneId === undefined) {
      new CfnOutput(Stack.of(this), 'CustomDomainTarget', {
        value: this.domainName.regionalDomainName,
        description: `Create a CNAME record ${props.domainName} → this name at your DNS provider (no hostedZoneId was given)`,
      });
      return;
    }
    // Imported by id alone: the zone may be a parent of the domain (example.com for
    // wecom.example.com), and a record name with a trailing dot is used as it is.
    const zone = HostedZone.fromHostedZoneId(this, 'Zone', props.hostedZoneId);
    const target = RecordTarget.fromAlias(
      new ApiGatewayv2DomainProperties(
        this.domainName.regionalDomainName,
        this.domainName.regionalHostedZoneId,
      ),
    );
    const recordName = `${props.domainName}.`;
    new ARecord(this, 'AliasIpv4', { zone, recordName, target });
    new AaaaRecord(this, 'AliasIpv6', { zone, recordName, target });
  }
}
