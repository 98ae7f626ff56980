import { CfnOutput, Stack } from 'aws-cdk-lib';
import {
  ApiMapping,
  DomainName,
  EndpointType,
  type HttpApi,
  IpAddressType,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AaaaRecord, ARecord, HostedZone, type IHostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { CustomDomain } from '../stage-config.ts';

/**
 * The API whose default stage the domain serves, and the domain as readStageConfig validated it:
 * with `certificateArn`, the certificate to use; without it, `hostedZoneId` is where the construct
 * DNS-validates a certificate it requests itself.
 */
export type CredentialApiDomainProps = CustomDomain & { readonly api: HttpApi };

/**
 * The API's own domain (docs/architecture.md, The API's own domain): a regional API Gateway domain with the given certificate,
 * or one it requests in ACM and validates by DNS in the given hosted zone (TLS 1.2, IPv4 and IPv6),
 * mapped to the API's default stage, and either alias records in the given hosted zone or an output
 * naming the target of a CNAME.
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
    // Imported by id alone: the zone may be a parent of the domain (example.com for
    // wecom.example.com), and a record name with a trailing dot is used as it is.
    const zone =
      props.hostedZoneId === undefined
        ? undefined
        : HostedZone.fromHostedZoneId(this, 'Zone', props.hostedZoneId);
    this.domainName = new DomainName(this, 'DomainName', {
      domainName: props.domainName,
      certificate: this.#certificate(props, zone),
      endpointType: EndpointType.REGIONAL,
      securityPolicy: SecurityPolicy.TLS_1_2,
      // Browsers reach the install routes from IPv6-only mobile networks too; the API behind the
      // domain stays IPv4, which a dual-stack domain may map.
      ipAddressType: IpAddressType.DUAL_STACK,
    });
    new ApiMapping(this, 'DefaultStage', { api: props.api, domainName: this.domainName, stage });

    if (zone === undefined) {
      new CfnOutput(Stack.of(this), 'CustomDomainTarget', {
        value: this.domainName.regionalDomainName,
        description: `Create a CNAME record ${props.domainName} → this name at your DNS provider (no hostedZoneId was given)`,
      });
      return;
    }
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

  /**
   * The given certificate, or one requested here. It lives in this stack beside the domain that
   * uses it (docs/architecture.md, The API's own domain): created before the domain switches to
   * it and deleted after the domain lets it go, in either direction of a change of setting, with
   * no export between the stacks. CloudFormation adds ACM's validation record to the zone and waits
   * for the certificate to be issued; ACM renews it while the record stays.
   */
  #certificate(props: CredentialApiDomainProps, zone: IHostedZone | undefined): ICertificate {
    if (props.certificateArn !== undefined) {
      return Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn);
    }
    if (zone === undefined) {
      throw new Error('CredentialApiDomain requests a certificate only with a hosted zone to validate it in');
    }
    return new Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: CertificateValidation.fromDns(zone),
    });
  }
}
