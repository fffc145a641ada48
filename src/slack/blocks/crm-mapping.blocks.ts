import { type ActivityMapping, type ActivitySource, describeMapping } from '../../integrations/activity-mapping.js';
import { context, header, type SlackMessage, section } from './message.js';

const LABEL: Record<ActivitySource, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce', pipedrive: 'Pipedrive' };

/**
 * How each CRM's activity records count here: `/kpi explain crm` and `/kpi crm map-activity`. Keys
 * are tried from the most specific (`call:connected`) to the type alone (`call`).
 */
export function crmMappingMessage(
  mappings: readonly { source: ActivitySource; mapping: ActivityMapping }[],
): SlackMessage {
  const blocks = [header('How CRM activities count')];
  for (const { source, mapping } of mappings) {
    blocks.push(section(`*${LABEL[source]}*\n${describeMapping(source, mapping).join('\n')}`));
  }
  blocks.push(
    context(
      'A record counts by its most specific key listed: a HubSpot call with the Connected outcome is `call:connected`, ' +
        'any other call `call`; keys not listed count as nothing. Only done activities count; an edit or delete in ' +
        'the CRM corrects the log. Admins change a key with `/kpi crm map-activity <crm> <key> <kinds|none|default>`.',
    ),
  );
  return { text: 'How CRM activities count', blocks };
}
