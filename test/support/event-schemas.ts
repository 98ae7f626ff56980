import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DETAIL_TYPE } from '../../functions/core/events/service-events.ts';

const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
ajv.addSchema(load('message.schema.json'));
const validators = {
  [DETAIL_TYPE.dataCallback]: ajv.compile(load('wecom-data-callback.schema.json')),
  [DETAIL_TYPE.commandEvent]: ajv.compile(load('wecom-command-event.schema.json')),
  [DETAIL_TYPE.authorizationChanged]: ajv.compile(load('wecom-authorization-changed.schema.json')),
  [DETAIL_TYPE.systemEvent]: ajv.compile(load('wecom-system-event.schema.json')),
};

/** The schema errors of an event's detail (empty when it is valid), checked against schemas/. */
export const schemaErrorsOf = (detailType: string, detail: unknown): string[] => {
  const validate = validators[detailType as keyof typeof validators];
  if (validate === undefined) {
    return [`no schema for detail-type ${detailType}`];
  }
  return validate(detail)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
};
