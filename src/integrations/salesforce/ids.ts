/**
 * Salesforce record ids come in two forms: 15 case-sensitive characters, and the same 15 followed by
 * a 3-character checksum of their letters' case (the 18-character form the APIs send). So two ids
 * name the same record when they are equal, or when the 15-character one is the other's prefix.
 */
const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

export function isSalesforceId(value: unknown): value is string {
  return typeof value === 'string' && SALESFORCE_ID.test(value);
}

/** The 15-character form, which alone identifies a record. */
export function shortId(id: string): string {
  return id.slice(0, 15);
}

/**
 * Whether a message from `received` (Salesforce sends 18 characters) belongs to the organization
 * the admin configured, who may have copied the 15-character id from Setup. Case matters: ids that
 * differ only in case are different organizations.
 */
export function organizationMatches(configured: string, received: string): boolean {
  if (!isSalesforceId(configured) || !isSalesforceId(received)) return false;
  return configured.length === 15 ? shortId(received) === configured : received === configured;
}
