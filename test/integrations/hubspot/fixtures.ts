/**
 * HubSpot webhook payloads, starting from the examples in HubSpot's own documentation
 * (https://developers.hubspot.com/docs/api/webhooks and .../validating-requests), and builders for deal
 * events of the same shape.
 */

/**
 * The example batch of HubSpot's webhooks docs (https://developers.hubspot.com/docs/api/webhooks), verbatim:
 * a contact property change and a contact creation. That version of the docs names the type `eventType`;
 * real deliveries, and the builders below, use `subscriptionType`.
 */
export const DOCUMENTED_BATCH = [
  {
    objectId: 1246965,
    propertyName: 'lifecyclestage',
    propertyValue: 'subscriber',
    changeSource: 'ACADEMY',
    eventId: 3816279340,
    subscriptionId: 25,
    portalId: 33,
    appId: 1160452,
    occurredAt: 1462216307945,
    eventType: 'contact.propertyChange',
    attemptNumber: 0,
  },
  {
    objectId: 1246978,
    changeSource: 'IMPORT',
    eventId: 3816279480,
    subscriptionId: 22,
    portalId: 33,
    appId: 1160452,
    occurredAt: 1462216307945,
    eventType: 'contact.creation',
    attemptNumber: 0,
  },
];

/** The v1 example from HubSpot's request-validation docs, with the hash the docs give for it. */
export const DOCUMENTED_V1 = {
  clientSecret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
  body: '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]',
  signature: '232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de',
};

export const PORTAL_ID = 33;
export const OCCURRED_AT = 1462216307945;

export type HubSpotEvent = Record<string, unknown>;

/** The fields every HubSpot event carries, as in the documented example and HubSpot's real deliveries. */
function envelope(subscriptionType: string, objectId: number, overrides: HubSpotEvent): HubSpotEvent {
  return {
    objectId,
    changeSource: 'CRM_UI',
    eventId: 3816279340,
    subscriptionId: 25,
    portalId: PORTAL_ID,
    appId: 1160452,
    occurredAt: OCCURRED_AT,
    subscriptionType,
    attemptNumber: 0,
    ...overrides,
  };
}

export function dealCreation(objectId: number, overrides: HubSpotEvent = {}): HubSpotEvent {
  return envelope('deal.creation', objectId, { changeFlag: 'CREATED', ...overrides });
}

export function dealDeletion(objectId: number, overrides: HubSpotEvent = {}): HubSpotEvent {
  return envelope('deal.deletion', objectId, { changeFlag: 'DELETED', ...overrides });
}

export function dealPropertyChange(
  objectId: number,
  propertyName: string,
  propertyValue: string,
  overrides: HubSpotEvent = {},
): HubSpotEvent {
  return envelope('deal.propertyChange', objectId, { propertyName, propertyValue, ...overrides });
}

export function contactCreation(objectId: number, overrides: HubSpotEvent = {}): HubSpotEvent {
  return envelope('contact.creation', objectId, { changeFlag: 'NEW', ...overrides });
}

export function body(events: unknown): Buffer {
  return Buffer.from(JSON.stringify(events));
}

/**
 * Engagement events as the current developer platform's generic webhook subscriptions send them: the
 * `object.*` subscription type with the object's type in `objectTypeId` (calls 0-48, meetings 0-47, emails
 * 0-49, tasks 0-27), otherwise the fields of the legacy events above. Field list:
 * https://developers.hubspot.com/docs/apps/legacy-apps/public-apps/create-generic-webhook-subscriptions
 * ("Parse generic webhook payloads"); object type ids: https://developers.hubspot.com/docs/guides/api/crm/understanding-the-crm
 */
export const OBJECT_TYPE = { call: '0-48', meeting: '0-47', email: '0-49', task: '0-27', contact: '0-1' } as const;

export function objectCreation(objectTypeId: string, objectId: number, overrides: HubSpotEvent = {}): HubSpotEvent {
  return envelope('object.creation', objectId, { objectTypeId, changeFlag: 'CREATED', ...overrides });
}

export function objectPropertyChange(
  objectTypeId: string,
  objectId: number,
  propertyName: string,
  propertyValue: string,
  overrides: HubSpotEvent = {},
): HubSpotEvent {
  return envelope('object.propertyChange', objectId, { objectTypeId, propertyName, propertyValue, ...overrides });
}

export function objectDeletion(objectTypeId: string, objectId: number, overrides: HubSpotEvent = {}): HubSpotEvent {
  return envelope('object.deletion', objectId, { objectTypeId, changeFlag: 'DELETED', ...overrides });
}
