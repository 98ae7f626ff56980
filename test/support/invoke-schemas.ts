import { existsSync, readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { functionsOfKind } from '../../functions/catalog.ts';

/** Every function other services invoke, by the catalogue: each must have its schemas. */
export const INVOKED_FUNCTIONS: readonly string[] = functionsOfKind('invoked').map(([name]) => name);

export type SchemaPart = 'request' | 'response';

const schemaUrl = (file: string): URL => new URL(`../../schemas/invoke/${file}`, import.meta.url);

/** schemas/invoke/<name>.<part>.schema.json */
export const invokeSchemaFile = (name: string, part: SchemaPart): string => `${name}.${part}.schema.json`;

export const invokeSchemaExists = (name: string, part: SchemaPart): boolean =>
  existsSync(schemaUrl(invokeSchemaFile(name, part)));

const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
const compiled = new Map<string, ValidateFunction>();

const validatorOf = (file: string): ValidateFunction => {
  const known = compiled.get(file);
  if (known !== undefined) {
    return known;
  }
  const validate = ajv.compile(JSON.parse(readFileSync(schemaUrl(file), 'utf8')) as Record<string, unknown>);
  compiled.set(file, validate);
  return validate;
};

const errorsOf = (validate: ValidateFunction, value: unknown): string[] =>
  validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);

/** The schema errors of an invoked function's request or response (empty when it is valid). */
export const invokeSchemaErrorsOf = (name: string, part: SchemaPart, value: unknown): string[] =>
  errorsOf(validatorOf(invokeSchemaFile(name, part)), value);

/** The schema errors of an error envelope (schemas/invoke/error.schema.json). */
export const errorEnvelopeSchemaErrorsOf = (value: unknown): string[] =>
  errorsOf(validatorOf('error.schema.json'), value);

/** The fields a request schema names (its `properties`). */
export const requestFieldsOf = (name: string): readonly string[] => {
  const schema = JSON.parse(readFileSync(schemaUrl(invokeSchemaFile(name, 'request')), 'utf8')) as {
    readonly properties?: Record<string, unknown>;
  };
  return Object.keys(schema.properties ?? {});
};
