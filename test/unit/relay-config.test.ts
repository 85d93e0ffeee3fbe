// The relay's settings: stream heartbeat, change-log poll and webhook delivery, with their defaults and bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';

test('relay defaults: a heartbeat every 15 s, a poll every 2 s', () => {
  const config = loadConfig({});
  assert.deepEqual([config.relayHeartbeatMs, config.relayPollMs], [15_000, 2_000]);
});

test('relay settings are read, and refused out of bounds with the setting named', () => {
  const config = loadConfig({ THALAMUS_RELAY_HEARTBEAT_MS: '500', THALAMUS_RELAY_POLL_MS: '100' });
  assert.deepEqual([config.relayHeartbeatMs, config.relayPollMs], [500, 100]);
  assert.throws(() => loadConfig({ THALAMUS_RELAY_HEARTBEAT_MS: '0' }), {
    message: 'THALAMUS_RELAY_HEARTBEAT_MS: "0" is not a whole number from 10 to 3600000',
  });
  assert.throws(() => loadConfig({ THALAMUS_RELAY_POLL_MS: 'often' }), {
    message: 'THALAMUS_RELAY_POLL_MS: "often" is not a whole number from 10 to 3600000',
  });
});

test('webhook defaults: 10 attempts, retries from 1 s up to an hour, 10 s to answer, 16 at once', () => {
  const c = loadConfig({});
  assert.deepEqual(
    [c.webhookMaxAttempts, c.webhookRetryMs, c.webhookMaxRetryMs, c.webhookTimeoutMs, c.webhookConcurrency],
    [10, 1_000, 3_600_000, 10_000, 16],
  );
  assert.throws(() => loadConfig({ THALAMUS_WEBHOOK_MAX_ATTEMPTS: '0' }), {
    message: 'THALAMUS_WEBHOOK_MAX_ATTEMPTS: "0" is not a whole number from 1 to 1000',
  });
});
