import { beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPE, EVENT_SOURCE } from '../../functions/core/events/service-events.ts';
import type { ServiceName } from '../../functions/wiring/service-runtime.ts';
import { FUNCTION_IDS } from '../support/service-functions.ts';
import { AWS_SIDE_NEEDS, MANAGED_POLICY_NEEDS } from './aws-side-needs.ts';
import { type IamSimulation, type SimulatedRequest, simulateSynthesizedApp } from './iam-simulation.ts';
import { NEGATIVE_CASES } from './negative-cases.ts';
import { type RecordedCalls, readRecordedCalls, shapeOf } from './recorded-calls.ts';

/**
 * The IAM contract: every AWS call each function made during the other tests of this run (recorded
 * by the runtime's client middleware, test/support/aws-call-recorder.ts), and every call AWS makes
 * with a function's role outside its code (./aws-side-needs.ts), is evaluated against the
 * synthesized role, key and queue policies with the request context AWS would send. Each must be
 * allowed on its own resource and denied on any other; each role is granted exactly what those
 * calls need; and the negative cases (./negative-cases.ts) are denied. This project runs after all
 * others (vitest.config.ts); the contract reporter fails a run in which it did not run to a pass.
 */

const SERVICES = Object.keys(FUNCTION_IDS) as ServiceName[];

/**
 * The fewest distinct calls a function can make and still have been exercised: a configuration
 * read (GetSecretValue and its decrypt) and one table call (the call and its decrypt).
 */
const MIN_CALLS_PER_FUNCTION = 4;

/**
 * The stages judged: the environment-agnostic one the default `cdk synth` writes (judged in the
 * `aws` partition), and one pinned to Beijing as docs/china.md deploys it (judged in `aws-cn`, with
 * its own ARNs, endpoint suffix and `kms:ViaService` region). The same contract runs on each.
 */
const STAGES = [
  ['the environment-agnostic stage, in partition aws', undefined],
  ['the stage pinned to cn-north-1, in partition aws-cn', 'cn-north-1'],
] as const;

let recorded: RecordedCalls;

beforeAll(() => {
  recorded = readRecordedCalls();
});

const callsOf = (service: ServiceName) => recorded.calls.filter((call) => call.service === service);
const needsOf = (service: ServiceName) =>
  AWS_SIDE_NEEDS.filter((need) => need.request.service === service).map((need) => need.request);

const report = (title: string, lines: string[]): void => {
  process.stdout.write(`\n${title}\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
};

const decideWith = async (simulation: IamSimulation, requests: readonly SimulatedRequest[]) =>
  Promise.all(requests.map(async (request) => ({ request, decision: await simulation.evaluate(request) })));

describe('the IAM contract: this run recorded the calls it judges', () => {
  it('finds the AWS calls the other tests of this run recorded', () => {
    const { directory, files, calls } = recorded;

    report(
      `IAM contract: ${calls.length} distinct calls in ${files} files of ${directory ?? '(no directory)'}`,
      [],
    );
    expect(
      calls.length,
      `no AWS calls were recorded in this run (AWS_CALL_LOG_DIR=${directory ?? 'unset'}): the contract judges ` +
        'the calls the other tests make in the same run, so run the whole suite (npm test)',
    ).toBeGreaterThan(0);
  });

  it.each(SERVICES)('has at least the calls of a configuration read and a table call from %s', (service) => {
    const calls = callsOf(service);

    expect(
      calls.length,
      `${service} made ${calls.length} distinct AWS calls in this run; its tests did not run, or not to the end`,
    ).toBeGreaterThanOrEqual(MIN_CALLS_PER_FUNCTION);
  });
});

describe.each(STAGES)('%s', (_stage, region) => {
  let simulation: IamSimulation;

  beforeAll(() => {
    simulation = simulateSynthesizedApp(region);
  });

  const decide = (requests: readonly SimulatedRequest[]) => decideWith(simulation, requests);

  describe('the IAM contract: every AWS call the functions make is allowed', () => {
    it.each(SERVICES)('allows every call %s made during the tests', async (service) => {
      const calls = callsOf(service);

      const outcomes = await decide(calls);

      report(
        `IAM contract, ${service}: ${calls.length} distinct calls`,
        outcomes.map(
          ({ request, decision }, index) =>
            `${decision.padEnd(8)} ${shapeOf(request)}  (${calls[index]?.command})`,
        ),
      );
      expect(
        outcomes.filter(({ decision }) => decision !== 'Allowed').map(({ request }) => shapeOf(request)),
      ).toEqual([]);
    });

    it.each(
      AWS_SIDE_NEEDS.map(
        ({ request, why }) => [`${request.action} for ${request.service}: ${why}`, request] as const,
      ),
    )('allows %s', async (_title, request) => {
      const decision = await simulation.evaluate(request);

      report('IAM contract, calls AWS makes with a function role', [
        `${decision.padEnd(8)} ${shapeOf(request)}`,
      ]);
      expect(decision).toBe('Allowed');
    });
  });

  describe('the IAM contract: each call is allowed on its own resource and no other', () => {
    it.each(SERVICES)(
      'denies every call %s makes when it names another table, stream, key, secret, bus or queue',
      async (service) => {
        const elsewhere = [...callsOf(service), ...needsOf(service)]
          .filter((request) => request.resource !== 'any')
          .map((request) => ({ ...request, elsewhere: true }));

        const outcomes = await decide(elsewhere);

        report(
          `IAM contract, ${service} elsewhere`,
          outcomes.map(
            ({ request, decision }) =>
              `${decision.padEnd(8)} ${shapeOf(request)}  (another ${request.resource})`,
          ),
        );
        expect(elsewhere.length).toBeGreaterThan(0);
        expect(
          outcomes.filter(({ decision }) => decision !== 'Denied').map(({ request }) => shapeOf(request)),
        ).toEqual([]);
      },
    );
  });

  describe('the IAM contract: what the functions must not do is denied', () => {
    it.each(
      NEGATIVE_CASES.map(
        ({ why, request }) =>
          [`${shapeOf(request).replace(/\s+/g, ' ').trim()}, because ${why}`, request] as const,
      ),
    )('denies %s', async (_title, request) => {
      const decision = await simulation.evaluate(request);

      report('IAM contract, negative case', [`${decision.padEnd(8)} ${shapeOf(request)}`]);
      expect(decision).toBe('Denied');
    });

    it.each(SERVICES)(
      'lets %s publish only the detail-types it was seen publishing, with our source',
      async (service) => {
        const published = new Set(
          callsOf(service)
            .filter((call) => call.action === 'events:PutEvents')
            .flatMap((call) => [call.context['events:detail-type'] ?? []].flat()),
        );
        const others = Object.values(DETAIL_TYPE).filter((detailType) => !published.has(detailType));
        const event = (source: string, detailTypes: readonly string[]): SimulatedRequest => ({
          service,
          action: 'events:PutEvents',
          resource: 'event-bus',
          context: { 'events:source': [source], 'events:detail-type': [...detailTypes] },
        });
        const forbidden = [
          ...others.map((detailType) => event(EVENT_SOURCE, [detailType])),
          // One refused entry in a batch refuses the request (ForAllValues).
          ...others.map((detailType) => event(EVENT_SOURCE, [...published, detailType])),
          ...[...published].map((detailType) => event('aws.forged', [detailType])),
          { service, action: 'events:PutEvents', resource: 'event-bus' as const, context: {} },
        ];

        const outcomes = await decide(forbidden);

        report(
          `IAM contract, ${service} publishing`,
          outcomes.map(({ request, decision }) => `${decision.padEnd(8)} ${shapeOf(request)}`),
        );
        expect(
          outcomes.filter(({ decision }) => decision !== 'Denied').map(({ request }) => shapeOf(request)),
        ).toEqual([]);
      },
    );
  });

  describe('the IAM contract: each role is granted exactly what its calls need', () => {
    it.each(SERVICES)(
      'grants %s no action on no resource that no recorded or AWS-side call uses',
      (service) => {
        const needed = [...callsOf(service), ...needsOf(service)].map(
          (request) => `${request.action} on ${request.resource}`,
        );

        const granted = simulation.grantsOf(service);

        const unused = [...new Set(granted)].filter((grant) => !needed.includes(grant)).sort();
        const missing = [...new Set(needed)].filter((need) => !granted.includes(need)).sort();
        expect(
          unused,
          `${service} is granted what no call of this run used: remove the grant, or if the code needs it, ` +
            'add a test that makes the call (or an AWS-side need in test/iam/aws-side-needs.ts, with its doc)',
        ).toEqual([]);
        expect(missing, `${service} makes calls no statement names`).toEqual([]);
      },
    );

    it.each(SERVICES)('attaches to the role of %s only the AWS managed policies Lambda needs', (service) => {
      const expected = [
        MANAGED_POLICY_NEEDS.logs.name,
        ...(simulation.inVpc(service) ? [MANAGED_POLICY_NEEDS.vpc.name] : []),
      ];

      expect(simulation.managedPoliciesOf(service).sort()).toEqual(expected.sort());
    });
  });
});
