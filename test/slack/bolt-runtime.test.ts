import { SocketModeReceiver } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { App } from '../../src/slack/bolt-runtime.js';

// Bolt's App with patches/@slack+bolt+5.1.0.patch: Socket Mode's receiver, no longer loaded with
// App, still comes when a Socket Mode app is made.
describe('the Bolt runtime', () => {
  it('makes a Socket Mode app with Socket Mode receiver', () => {
    const app = new App({
      token: 'xoxb-1-socket',
      appToken: 'xapp-1-socket',
      socketMode: true,
      deferInitialization: true,
    });
    expect((app as unknown as { receiver: unknown }).receiver).toBeInstanceOf(SocketModeReceiver);
  });
});
