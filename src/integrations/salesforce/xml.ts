import { XMLParser } from 'fast-xml-parser';

/**
 * Reading SOAP messages as plain data, safely: elements by local name, text exactly as written,
 * no DTD and so no entity expansion.
 */

export type XmlNode = Record<string, unknown>;

/** What `elementText` answers for an element that is not a single value: repeated, or holding elements. */
export const UNREADABLE = Symbol('unreadable');

const ATTRIBUTE = '@_';
const TEXT = '#text';

const PREDEFINED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** `&amp;` → `&`, `&#xD;` → CR; anything else (an undeclared entity, a forbidden character) stays as written. */
function decodeReference(reference: string, name: string): string {
  if (!name.startsWith('#')) return PREDEFINED_ENTITIES.get(name) ?? reference;
  const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
  return isXmlChar(code) ? String.fromCodePoint(code) : reference;
}

/**
 * Entities are decoded here, in a single pass: XML's five predefined entities and character
 * references, nothing else. Entities a DTD declares are never used (and `parseXml` refuses DTDs
 * anyway), so nothing can expand. The parser's other hooks have nothing to do.
 */
const entityDecoder = {
  decode: (text: string) => text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, decodeReference),
  addInputEntities() {},
  setExternalEntities() {},
  setXmlVersion() {},
  reset() {},
};

const parser = new XMLParser({
  // Elements are matched on local names: senders write soapenv/soap/SOAP-ENV and sf/ns1 alike.
  removeNSPrefix: true,
  // Attributes carry meaning in SOAP: xsi:type names an sObject, xsi:nil marks an empty field.
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE,
  textNodeName: TEXT,
  // Values stay the text that was written: `00D…` ids are not numbers, and amounts are converted exactly.
  parseTagValue: false,
  entityDecoder,
});

/** The document as nested objects, or why it is not well-formed XML. */
export function parseXml(text: string): { ok: true; document: unknown } | { ok: false; reason: string } {
  // Nothing we read has a DTD. Refusing one outright means no entity is ever defined, so none can
  // be expanded ("billion laughs") or fetched (XXE), whatever the parser would do with it.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { ok: false, reason: 'DTDs are not accepted' };
  try {
    return { ok: true, document: parser.parse(text, true) };
  } catch (error) {
    return { ok: false, reason: `not well-formed XML: ${String((error as Error).message).slice(0, 120)}` };
  }
}

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A child element by local name: its text, a node, or an array when it is repeated. */
export function child(node: unknown, name: string): unknown {
  return isNode(node) && Object.hasOwn(node, name) ? node[name] : undefined;
}

/** The occurrences of a child element, whether it appears none, once or many times. */
export function children(node: unknown, name: string): unknown[] {
  const value = child(node, name);
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The child elements by local name, without attributes. */
export function childElements(node: XmlNode): [string, unknown][] {
  return Object.entries(node).filter(([name]) => name !== TEXT && !name.startsWith(ATTRIBUTE));
}

/** An attribute's value by local name (`xsi:type` → `type`). */
export function attribute(node: XmlNode, name: string): string | undefined {
  const value = node[`${ATTRIBUTE}${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** An element's text, null for `xsi:nil="true"`, or UNREADABLE. */
export function elementText(value: unknown): string | null | typeof UNREADABLE {
  if (typeof value === 'string') return value;
  if (!isNode(value)) return UNREADABLE;
  const nil = attribute(value, 'nil');
  if (nil === 'true' || nil === '1') return null;
  if (childElements(value).length > 0) return UNREADABLE;
  const text = value[TEXT];
  return typeof text === 'string' ? text : '';
}

/** `sf:Opportunity` → `Opportunity`: in a QName value, the prefix is whatever the sender declared. */
export function localName(qualified: string): string {
  return qualified.slice(qualified.indexOf(':') + 1);
}
