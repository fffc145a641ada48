import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { HTTPReceiverOptions } from '@slack/bolt';
import type { Logger } from '../lib/logger.js';
import { requestAgeProblem } from '../lib/request-age.js';
import { HTTPReceiver } from './bolt-runtime.js';

/** Where Slack sends commands, events and interactivity (the manifest's request URLs). */
export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Bolt's HTTP receiver with Slack's request timestamp checked both ways. Bolt 5.1's verifier refuses
 * a request signed more than five minutes ago but accepts one signed any time ahead, so a request
 * signed for the future could be replayed until then. Every signed Slack request passes through
 * here before Bolt's own check (signature, staleness); the wall clock is Slack's, not the app's
 * injected one, like Bolt's.
 *
 * Each request's arrival goes on Bolt's context as `receivedAt`: a slash command's time to answer in
 * its acknowledgement counts from there, reading the body and authorizing included.
 */
export function createSlackReceiver(
  options: Omit<HTTPReceiverOptions, 'endpoints'>,
  logger: Logger,
  wallClock: () => Date = () => new Date(),
): HTTPReceiver {
  const arrivals = new WeakMap<IncomingMessage, number>();
  const receiver = new HTTPReceiver({
    ...options,
    endpoints: [SLACK_EVENTS_PATH],
    // Bolt hands the extractor the request it buffered, the same object as the one that arrived.
    customPropertiesExtractor: (req) => {
      const receivedAt = arrivals.get(req);
      return receivedAt === undefined ? {} : { receivedAt };
    },
  });
  const route = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    arrivals.set(req, performance.now());
    const header = req.headers['x-slack-request-timestamp'];
    // A missing or malformed timestamp is Bolt's to refuse, with the signature.
    if (req.method === 'POST' && req.url?.split('?')[0] === SLACK_EVENTS_PATH && typeof header === 'string') {
      const problem = /^\d+$/.test(header) ? requestAgeProblem(Number(header) * 1000, wallClock()) : null;
      if (problem) {
        logger.warn({ reason: problem }, 'Slack request refused: not authenticated');
        res.writeHead(401).end();
        return;
      }
    }
    route(req, res);
  };
  return receiver;
}
