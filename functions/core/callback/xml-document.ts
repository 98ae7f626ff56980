import { XMLParser } from 'fast-xml-parser';
import { InvalidRequestError } from '../errors.ts';

/** The children of an XML document's root element, as trimmed text where they hold text. */
export type XmlFields = ReadonlyMap<string, string>;

// Entity expansion is only possible through a DTD, so a document that declares one is refused
// outright. fast-xml-parser honours a DOCTYPE even in the middle of a document, so the check looks
// everywhere except inside CDATA, where the same characters are just text.
const DECLARATION = /<!(?:DOCTYPE|ENTITY)/i;
const CDATA_SECTION = /<!\[CDATA\[[\s\S]*?\]\]>/g;

const PARSER_OPTIONS = {
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  htmlEntities: false,
  processEntities: true,
} as const;

const parser = new XMLParser(PARSER_OPTIONS);

/** A decrypted message as JSON: element names as WeCom sends them, text as text, repeats as arrays. */
export type XmlJson = string | { readonly [element: string]: XmlJson | readonly XmlJson[] };

// For the JSON form, CDATA is kept apart so its text stays exactly as sent (spaces, Chinese, markup).
const CDATA = '#cdata';
const messageParser = new XMLParser({ ...PARSER_OPTIONS, cdataPropName: CDATA });

/**
 * Parses a WeCom XML document into JSON, faithfully: element names as sent, repeated elements as
 * arrays, every value a string (XML has no numbers), CDATA content untouched.
 *
 * @throws InvalidRequestError as parseXmlFields does.
 */
export const parseXmlMessage = (xml: string): Readonly<Record<string, XmlJson | readonly XmlJson[]>> =>
  toJson(rootOf(messageParser, xml)) as Readonly<Record<string, XmlJson | readonly XmlJson[]>>;

/**
 * The root element's children of one well-formed document with no DTD.
 *
 * @throws InvalidRequestError `FORBIDDEN_XML_CONSTRUCT` or `MALFORMED_XML`.
 */
const rootOf = (xmlParser: XMLParser, xml: string): Record<string, unknown> => {
  assertNoDeclarations(xml);
  // A validated parse always yields an object holding the one root element.
  let document: Record<string, unknown>;
  try {
    document = xmlParser.parse(xml, true);
  } catch (error) {
    throw new InvalidRequestError('MALFORMED_XML', 'body is not well-formed XML', { cause: error });
  }
  const root = Object.values(document)[0];
  if (!isRecord(root)) {
    throw new InvalidRequestError('MALFORMED_XML', 'XML has no root element with children');
  }
  return root;
};

const toJson = (value: unknown): XmlJson | readonly XmlJson[] => {
  if (Array.isArray(value)) {
    return value.map((entry) => toJson(entry) as XmlJson);
  }
  if (!isRecord(value)) {
    // With parseTagValue off every leaf is text ('' for an empty element).
    return String(value);
  }
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]?.[0] === CDATA) {
    return toJson(entries[0][1]);
  }
  return Object.fromEntries(entries.map(([name, child]) => [name, toJson(child)]));
};

const assertNoDeclarations = (xml: string): void => {
  if (DECLARATION.test(xml) && DECLARATION.test(xml.replace(CDATA_SECTION, ''))) {
    throw new InvalidRequestError('FORBIDDEN_XML_CONSTRUCT', 'XML must not declare a DTD or entities');
  }
};

/**
 * Parses a WeCom XML document (`<xml>…</xml>`) into its top-level fields. Element text is trimmed,
 * CDATA included: WeCom's own `suite_ticket` sample has a space inside `InfoType`. Nested elements and
 * repeated names are kept out of the map; no caller here needs them.
 *
 * @throws InvalidRequestError `FORBIDDEN_XML_CONSTRUCT` for a DTD or entity declaration,
 *   `MALFORMED_XML` for anything that is not one well-formed document.
 */
export const parseXmlFields = (xml: string): XmlFields => {
  const root = rootOf(parser, xml);
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(root)) {
    if (typeof value === 'string') {
      fields.set(name, value.trim());
    }
  }
  return fields;
};

/**
 * A required, non-empty field.
 *
 * @throws InvalidRequestError `MISSING_XML_FIELD`
 */
export const requireField = (fields: XmlFields, name: string): string => {
  const value = fields.get(name);
  if (value === undefined || value === '') {
    throw new InvalidRequestError('MISSING_XML_FIELD', `XML field ${name} is missing`);
  }
  return value;
};

/**
 * A required field holding Unix seconds.
 *
 * @throws InvalidRequestError `MISSING_XML_FIELD` or `INVALID_PAYLOAD`
 */
export const requireUnixSeconds = (fields: XmlFields, name: string): number => {
  const value = requireField(fields, name);
  if (!/^\d{1,12}$/.test(value)) {
    throw new InvalidRequestError('INVALID_PAYLOAD', `XML field ${name} is not a Unix timestamp`);
  }
  return Number(value);
};

/** An optional field; empty text counts as absent. */
export const optionalField = (fields: XmlFields, name: string): string | undefined => {
  const value = fields.get(name);
  return value === undefined || value === '' ? undefined : value;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
