/**
 * The part of SOQL the fake Salesforce answers, parsed as strictly as Salesforce does
 * (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm):
 *
 *   SELECT field, …[, (SELECT field, … FROM ChildRelationship [ORDER BY field])] | COUNT()
 *   FROM Object [WHERE condition] [ORDER BY field [ASC|DESC]]
 *
 * Conditions compare a field with a literal (`=`, `!=`, `<`, `<=`, `>`, `>=`) or test `IN (…)`,
 * grouped with parentheses. Mixing AND and OR at one level without parentheses is refused, as
 * Salesforce refuses it. Date-time literals are `2026-01-01T00:00:00Z` (or with an offset; no
 * fraction), date literals `2026-01-01`
 * (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm).
 */

export type SoqlValue = string | number | boolean | null;

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'dateTime'; value: number }
  | { kind: 'date'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'number'; value: number }
  | { kind: 'null' };

export type Condition =
  | { kind: 'and' | 'or'; parts: Condition[] }
  | { kind: 'compare'; field: string; op: string; value: Literal }
  | { kind: 'in'; field: string; values: Literal[] };

export interface ChildSelect {
  relationship: string;
  fields: string[];
  orderBy: string | null;
}

export interface SoqlQuery {
  object: string;
  count: boolean;
  fields: string[];
  children: ChildSelect[];
  where: Condition | null;
  orderBy: { field: string; descending: boolean } | null;
}

const TOKEN =
  /\s+|('(?:[^'\\]|\\.)*')|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2}))|(\d{4}-\d{2}-\d{2})|(-?\d+(?:\.\d+)?)|([A-Za-z_][\w.]*)|(<=|>=|!=|<>|=|<|>|\(|\)|,)/y;

type Token = { type: 'string' | 'dateTime' | 'date' | 'number' | 'word' | 'symbol'; text: string };

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < soql.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(soql);
    if (!match) throw new SoqlError('MALFORMED_QUERY', `unexpected token: ${soql.slice(at, at + 20)}`);
    const [, string, dateTime, date, number, word, symbol] = match;
    if (string !== undefined) tokens.push({ type: 'string', text: string.slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (dateTime !== undefined) tokens.push({ type: 'dateTime', text: dateTime });
    else if (date !== undefined) tokens.push({ type: 'date', text: date });
    else if (number !== undefined) tokens.push({ type: 'number', text: number });
    else if (word !== undefined) tokens.push({ type: 'word', text: word });
    else if (symbol !== undefined) tokens.push({ type: 'symbol', text: symbol });
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private isWord(word: string, offset = 0): boolean {
    const token = this.tokens[this.at + offset];
    return token?.type === 'word' && token.text.toUpperCase() === word;
  }

  private isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token?.type === 'symbol' && token.text === symbol;
  }

  private fail(): never {
    const token = this.peek();
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: ${token ? token.text : 'end of query'}`);
  }

  private word(expected?: string): string {
    const token = this.peek();
    if (token?.type !== 'word' || (expected && token.text.toUpperCase() !== expected)) this.fail();
    this.at++;
    return token.text;
  }

  private symbol(expected: string): void {
    if (!this.isSymbol(expected)) this.fail();
    this.at++;
  }

  query(): SoqlQuery {
    this.word('SELECT');
    const fields: string[] = [];
    const children: ChildSelect[] = [];
    let count = false;
    if (this.isWord('COUNT') && this.tokens[this.at + 1]?.text === '(') {
      this.at++;
      this.symbol('(');
      this.symbol(')');
      count = true;
    } else {
      do {
        if (this.isSymbol('(')) children.push(this.child());
        else fields.push(this.word());
      } while (this.isSymbol(',') && ++this.at);
    }
    this.word('FROM');
    const object = this.word();
    const where = this.isWord('WHERE') && ++this.at ? this.condition() : null;
    const orderBy = this.orderBy();
    if (this.at < this.tokens.length) this.fail();
    return { object, count, fields, children, where, orderBy };
  }

  private child(): ChildSelect {
    this.symbol('(');
    this.word('SELECT');
    const fields = [this.word()];
    while (this.isSymbol(',') && ++this.at) fields.push(this.word());
    this.word('FROM');
    const relationship = this.word();
    const orderBy = this.orderBy();
    this.symbol(')');
    return { relationship, fields, orderBy: orderBy?.field ?? null };
  }

  private orderBy(): { field: string; descending: boolean } | null {
    if (!this.isWord('ORDER')) return null;
    this.at++;
    this.word('BY');
    const field = this.word();
    const descending = this.isWord('DESC');
    if (descending || this.isWord('ASC')) this.at++;
    return { field, descending };
  }

  /** One level: factors joined by the same operator throughout. */
  private condition(): Condition {
    const parts = [this.factor()];
    let joiner: 'AND' | 'OR' | null = null;
    while (this.isWord('AND') || this.isWord('OR')) {
      const next = this.word().toUpperCase() as 'AND' | 'OR';
      if (joiner !== null && next !== joiner)
        throw new SoqlError('MALFORMED_QUERY', 'unexpected token: AND and OR need parentheses to be mixed');
      joiner = next;
      parts.push(this.factor());
    }
    if (joiner === null) return parts[0] as Condition;
    return { kind: joiner === 'AND' ? 'and' : 'or', parts };
  }

  private factor(): Condition {
    if (this.isSymbol('(')) {
      this.at++;
      const inner = this.condition();
      this.symbol(')');
      return inner;
    }
    const field = this.word();
    if (this.isWord('IN')) {
      this.at++;
      this.symbol('(');
      const values = [this.literal()];
      while (this.isSymbol(',') && ++this.at) values.push(this.literal());
      this.symbol(')');
      return { kind: 'in', field, values };
    }
    const op = this.peek();
    if (op?.type !== 'symbol' || !['=', '!=', '<>', '<', '<=', '>', '>='].includes(op.text)) this.fail();
    this.at++;
    return { kind: 'compare', field, op: op.text === '<>' ? '!=' : op.text, value: this.literal() };
  }

  private literal(): Literal {
    const token = this.peek();
    if (!token) this.fail();
    this.at++;
    if (token.type === 'string') return { kind: 'string', value: token.text };
    if (token.type === 'dateTime') return { kind: 'dateTime', value: Date.parse(token.text) };
    if (token.type === 'date') return { kind: 'date', value: token.text };
    if (token.type === 'number') return { kind: 'number', value: Number(token.text) };
    const word = token.type === 'word' ? token.text.toLowerCase() : '';
    if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true' };
    if (word === 'null') return { kind: 'null' };
    this.at--;
    return this.fail();
  }
}

export function parseSoql(soql: string): SoqlQuery {
  return new Parser(tokenize(soql.trim())).query();
}

/** The record's value as REST writes it (`2026-01-01T10:00:00.000+0000`) as milliseconds. */
function dateTimeOf(value: SoqlValue): number | null {
  if (typeof value !== 'string') return null;
  const time = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(time) ? null : time;
}

function compare(field: string, value: SoqlValue, literal: Literal): number | null {
  if (literal.kind === 'null') return value === null ? 0 : null;
  if (value === null || value === undefined) return null;
  switch (literal.kind) {
    case 'dateTime': {
      const time = dateTimeOf(value);
      if (time === null) throw new SoqlError('MALFORMED_QUERY', `${field} is not a date-time field`);
      return Math.sign(time - literal.value);
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new SoqlError('MALFORMED_QUERY', `${field} is not a boolean field`);
      return value === literal.value ? 0 : 1;
    case 'number':
      return Math.sign(Number(value) - literal.value);
    default: {
      const text = String(value);
      return text === literal.value ? 0 : text < literal.value ? -1 : 1;
    }
  }
}

function holds(op: string, order: number | null): boolean {
  if (order === null) return op === '!=';
  switch (op) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}

/** Whether the record meets the condition; a field the object lacks is INVALID_FIELD. */
export function matches(
  record: Record<string, SoqlValue>,
  condition: Condition,
  fieldOf: (name: string) => string,
): boolean {
  switch (condition.kind) {
    case 'and':
      return condition.parts.every((part) => matches(record, part, fieldOf));
    case 'or':
      return condition.parts.some((part) => matches(record, part, fieldOf));
    case 'in': {
      const field = fieldOf(condition.field);
      return condition.values.some((literal) => compare(field, record[field] ?? null, literal) === 0);
    }
    case 'compare': {
      const field = fieldOf(condition.field);
      return holds(condition.op, compare(field, record[field] ?? null, condition.value));
    }
  }
}
