import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import {
  loadActivityMapping,
  loadAllMappings,
  setActivityMapping,
} from '../../src/integrations/activity-mapping.repository.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

let handle: DatabaseHandle;

describeDb('the activity mapping of a workspace', () => {
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('starts from the defaults, keeps each workspace’s changes to itself, and goes back to the default', async () => {
    const [mine, theirs] = [newWorkspaceId(), newWorkspaceId()];
    const { db } = handle;
    await setActivityMapping(
      db,
      { workspaceId: mine, source: 'hubspot' },
      'call:left_voicemail',
      ['call', 'follow_up'],
      'UADM',
    );
    // The same change twice (a retried command) leaves one row; a later one replaces it.
    await setActivityMapping(db, { workspaceId: mine, source: 'hubspot' }, 'task', [], 'UADM');
    await setActivityMapping(db, { workspaceId: mine, source: 'hubspot' }, 'task', [], 'UADM');

    const hubspot = await loadActivityMapping(db, mine, 'hubspot');
    expect(hubspot.get('call:left_voicemail')).toEqual(['call', 'follow_up']);
    expect(hubspot.get('task')).toEqual([]);
    expect(hubspot.get('call:connected')).toEqual(['call', 'conversation']);
    expect((await loadActivityMapping(db, mine, 'pipedrive')).get('task')).toEqual(['follow_up']);
    expect((await loadActivityMapping(db, theirs, 'hubspot')).get('task')).toEqual(['follow_up']);
    expect((await loadActivityMapping(db, theirs, 'hubspot')).has('call:left_voicemail')).toBe(false);

    await setActivityMapping(db, { workspaceId: mine, source: 'hubspot' }, 'task', null, 'UADM');
    expect((await loadActivityMapping(db, mine, 'hubspot')).get('task')).toEqual(['follow_up']);
    expect((await loadAllMappings(db, mine)).map((m) => m.source)).toEqual(['hubspot', 'salesforce', 'pipedrive']);
  });
});
