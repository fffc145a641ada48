import { type CrmAdapter, jsonReply } from '../adapter.js';
import { parseHubSpotBatch } from './parse.js';
import { verifyHubSpotSignature } from './signature.js';

/** HubSpot only looks at the status code; the JSON body is for whoever reads HubSpot's delivery logs. */
export const hubspotAdapter: CrmAdapter<{ clientSecret: string }> = {
  verify: (req, secrets, now) => verifyHubSpotSignature(req, secrets.clientSecret, now),
  parse: (req) => parseHubSpotBatch(req.rawBody),
  reply: ({ stored, duplicates, rejected }) => jsonReply(200, { stored, duplicates, rejected }),
  errorReply: (status, reason) => jsonReply(status, { error: reason }),
};
