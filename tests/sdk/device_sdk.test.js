'use strict';
// Microsoft's Node.js device SDK (azure-iot-device + azure-iot-device-mqtt) against one
// `flexhil hub`: every case is what an application does with the SDK, and asserts what the SDK
// got back and what the hub recorded. Run by run_node_sdk_test.sh (README.md).
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { X509Certificate } = require('node:crypto');
const { Message } = require('azure-iot-device');
const { setup, HubEvents, consoleBlock, bench, makeClient, closeQuietly, waitFor, withTimeout } = require('./hub_under_test');

const hubEvents = new HubEvents();
const listenerOf = (device) => (device.transport === 'MqttWs' ? 'websocket' : 'mqtts');

// open() and the hub's verdict on that CONNECT: the SDK's promise alone would not say which
// listener or which credential the hub judged.
async function openDevice(device, beforeOpen = () => {}) {
  const client = await makeClient(device);
  beforeOpen(client);
  const since = hubEvents.mark();
  try {
    await withTimeout(client.open(), `${device.id}: client.open()`);
    const connect = await hubEvents.waitFor(`${device.id} connect`, since, (e) => e.kind === 'connect' && e.device === device.id);
    assert.equal(connect.verdict, 'accepted', connect.reason);
    assert.equal(connect.connack, 0);
    assert.equal(connect.listener, listenerOf(device));
    assert.equal(connect.auth, device.auth === 'sas' ? 'sas' : 'x509-selfsigned');
    assert.equal(connect.clean_session, false, 'the Node SDK connects with CleanSession=0');
    if (device.auth !== 'sas') {
      // The hub judged the certificate this client presented (on either listener), not another.
      const presented = new X509Certificate(fs.readFileSync(device.cert)).fingerprint.replace(/:/g, '');
      assert.equal(connect.thumbprint_sha1, presented);
      assert.equal(connect.certificate_cn, device.id);
    }
    return client;
  } catch (err) {
    // A client left open would reconnect and replace the next case's connection (same device id).
    await closeQuietly(client);
    throw err;
  }
}

async function disconnected(device, client) {
  const since = hubEvents.mark();
  await withTimeout(client.close(), `${device.id}: client.close()`);
  await hubEvents.waitFor(`${device.id} disconnect`, since, (e) => e.kind === 'disconnect' && e.device === device.id);
}

function subscribed(device, since, topic) {
  return hubEvents.waitFor(`${device.id} subscribe ${topic}`, since,
    (e) => e.kind === 'subscribe' && e.device === device.id && e.topic === topic && e.verdict === 'granted');
}

// An SDK call taking a callback, as a promise with a timeout.
function call(what, fn) {
  return withTimeout(new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result)))), what);
}

// Events the SDK emits, collected so a case can wait for the one it expects.
function collect(emitter, event) {
  const seen = [];
  emitter.on(event, (value) => seen.push(value));
  return seen;
}

async function deviceRow(device) {
  const r = await bench('devices');
  assert.equal(r.code, 0, r.output);
  const row = r.stdout.split('\n').find((l) => l.split(/\s+/)[0] === device.id);
  assert.ok(row, `no row for ${device.id} in:\n${r.stdout}`);
  // DEVICE CONNECTED LAST-SEEN PENDING; a connected row says more in its CONNECTED column.
  const columns = row.trim().split(/\s+/);
  return { row, connected: columns[1], pending: Number(columns[columns.length - 1]) };
}

for (const device of setup.devices) {
  describe(`${device.id} (${device.auth}, ${device.transport})`, () => {
    it('sends telemetry with application properties, content type/encoding and message id; the hub accepts it without findings', async () => {
      const client = await openDevice(device);
      try {
        const body = JSON.stringify({ time: new Date().toISOString(), temperature: 21.5 });
        const message = new Message(body);
        message.messageId = `${device.id}-telemetry`;
        message.contentType = 'application/json';
        message.contentEncoding = 'utf-8';
        // Spaces, '&', '=' and '/' must survive the SDK's property-bag encoding and the hub's decoding.
        message.properties.add('unit', 'm/s per °C');
        message.properties.add('batch id', 'a&b=c');
        const since = hubEvents.mark();
        await withTimeout(client.sendEvent(message), 'sendEvent (PUBACK)');
        const event = await hubEvents.waitFor('telemetry publish', since,
          (e) => e.kind === 'publish' && e.device === device.id && e.topic.startsWith(`devices/${device.id}/messages/events/`));
        assert.equal(event.verdict, 'accepted', event.reason);
        assert.equal(event.qos, 1);
        assert.deepEqual(event.props, {
          '$.mid': `${device.id}-telemetry`, '$.ct': 'application/json', '$.ce': 'utf-8',
          unit: 'm/s per °C', 'batch id': 'a&b=c',
        });
        assert.equal(Buffer.from(event.payload_b64, 'base64').toString('utf8'), body);

        const block = await consoleBlock(`${device.id}-telemetry`);
        const system = JSON.parse(block.find((l) => l.startsWith('  system')).replace(/^ +system +/, ''));
        assert.equal(system['content-type'], 'application/json');
        assert.equal(system['content-encoding'], 'utf-8');
        assert.equal(system['message-id'], `${device.id}-telemetry`);
        assert.equal(system['iothub-connection-device-id'], device.id);
        const application = JSON.parse(block.find((l) => l.startsWith('  application')).replace(/^ +application +/, ''));
        assert.deepEqual(application, { unit: 'm/s per °C', 'batch id': 'a&b=c' });
        assert.deepEqual(block.filter((l) => l.startsWith('  finding')), [], block.join('\n'));
      } finally {
        await closeQuietly(client);
      }
    });

    it('a message with a duplicate JSON key is accepted and gets its finding (the no-finding check above can fail)', async () => {
      const client = await openDevice(device);
      try {
        const message = new Message('{"time":"2026-01-01T00:00:00Z","temp":1,"temp":2}');
        message.messageId = `${device.id}-duplicate`;
        message.contentType = 'application/json';
        message.contentEncoding = 'utf-8';
        await withTimeout(client.sendEvent(message), 'sendEvent (PUBACK)');
        const block = await consoleBlock(`${device.id}-duplicate`);
        assert.ok(block.some((l) => l.startsWith('  finding') && l.includes('PAYLOAD-DUPLICATE-KEY')), block.join('\n'));
      } finally {
        await closeQuietly(client);
      }
    });

    it('getTwin() returns the registry twin; a reported patch is answered and a later getTwin() shows it', async () => {
      let client = await openDevice(device);
      const patch = { firmware: `2.0-${device.id}`, telemetryConfig: { sendFrequency: '5m' } };
      try {
        const twin = await withTimeout(client.getTwin(), 'getTwin()');
        assert.equal(twin.properties.desired.interval, 20, JSON.stringify(twin.properties));
        assert.equal(twin.properties.desired.$version, 1);
        assert.equal(twin.properties.reported.firmware, '1.0');
        const since = hubEvents.mark();
        await call('twin.properties.reported.update()', (done) => twin.properties.reported.update(patch, done));
        const answered = await hubEvents.waitFor('reported patch', since,
          (e) => e.device === device.id && e.kind.startsWith('twin_') && e.kind !== 'twin_get');
        assert.equal(answered.status, 204, JSON.stringify(answered));
      } finally {
        await closeQuietly(client);
      }
      client = await openDevice(device);
      try {
        const twin = await withTimeout(client.getTwin(), 'second getTwin()');
        assert.equal(twin.properties.reported.firmware, patch.firmware);
        assert.deepEqual(twin.properties.reported.telemetryConfig, patch.telemetryConfig);
        assert.equal(twin.properties.reported.$version, 2);
      } finally {
        await closeQuietly(client);
      }
    });

    it("`flexhil hub desired` is pushed to the SDK's properties.desired listener", async () => {
      const client = await openDevice(device);
      try {
        const twin = await withTimeout(client.getTwin(), 'getTwin()');
        const version = twin.properties.desired.$version;
        const since = hubEvents.mark();
        const desired = collect(twin, 'properties.desired');
        await subscribed(device, since, '$iothub/twin/PATCH/properties/desired/#');
        const r = await bench('desired', '--device', device.id, '{"interval":10}');
        assert.equal(r.code, 0, r.output);
        const pushed = await waitFor('properties.desired with interval 10', () => desired.find((d) => d.interval === 10));
        assert.equal(pushed.$version, version + 1, JSON.stringify(pushed));
        assert.equal(twin.properties.desired.interval, 10);
      } finally {
        await closeQuietly(client);
      }
    });

    it("C2D sent while connected reaches client.on('message') with its property; complete() succeeds", async () => {
      let messages;
      const since = hubEvents.mark();
      const client = await openDevice(device, (c) => { messages = collect(c, 'message'); });
      try {
        await subscribed(device, since, `devices/${device.id}/messages/devicebound/#`);
        const r = await bench('c2d', '--device', device.id, '--property', 'cmd=reset', '{"reset":1}');
        assert.equal(r.code, 0, r.output);
        assert.match(r.stdout, /delivered/);
        const mid = r.stdout.match(/^c2d (\S+) to /m)[1];
        const message = await waitFor('the C2D message', () => messages[0]);
        assert.equal(message.getData().toString(), '{"reset":1}');
        assert.equal(message.properties.getValue('cmd'), 'reset');
        assert.equal(message.messageId, mid);
        assert.equal(message.to, `/devices/${device.id}/messages/deviceBound`);
        const result = await withTimeout(client.complete(message), 'client.complete()');
        assert.equal(result.constructor.name, 'MessageCompleted');
      } finally {
        await closeQuietly(client);
      }
    });

    it('C2D sent while the device is away is queued and delivered when it comes back (CleanSession=0)', async () => {
      const first = await openDevice(device, (c) => c.on('message', () => {}));
      await disconnected(device, first);
      assert.equal((await deviceRow(device)).connected, 'no');

      const r = await bench('c2d', '--device', device.id, '--property', 'cmd=calibrate', '{"calibrate":true}');
      assert.equal(r.code, 0, r.output);
      assert.match(r.stdout, /queued/);
      const mid = r.stdout.match(/^c2d (\S+) to /m)[1];
      assert.equal((await deviceRow(device)).pending, 1);

      let messages;
      const since = hubEvents.mark();
      const client = await openDevice(device, (c) => { messages = collect(c, 'message'); });
      try {
        const message = await waitFor('the queued C2D message', () => messages[0]);
        assert.equal(message.getData().toString(), '{"calibrate":true}');
        assert.equal(message.properties.getValue('cmd'), 'calibrate');
        assert.equal(message.messageId, mid);
        await withTimeout(client.complete(message), 'client.complete()');
        const delivered = await hubEvents.waitFor('c2d_delivered', since, (e) => e.kind === 'c2d_delivered' && e.mid === mid);
        assert.equal(delivered.queued, true);
        assert.equal((await deviceRow(device)).pending, 0);
      } finally {
        await closeQuietly(client);
      }
    });

    it('a direct method answered by onDeviceMethod reaches `flexhil hub method` with status and payload; an unknown one times out', async () => {
      const since = hubEvents.mark();
      const client = await openDevice(device);
      try {
        const requests = [];
        client.onDeviceMethod('reboot', (request, response) => {
          requests.push(request);
          response.send(200, { rebooting: true, asked: request.payload }, () => {});
        });
        await subscribed(device, since, '$iothub/methods/POST/#');
        const r = await bench('method', '--device', device.id, '--name', 'reboot', '--payload', '{"delay":5}');
        assert.equal(r.code, 0, r.output);
        assert.deepEqual(JSON.parse(r.stdout), { status: 200, payload: { rebooting: true, asked: { delay: 5 } } });
        assert.equal(requests.length, 1);
        assert.equal(requests[0].methodName, 'reboot');

        // The SDK ignores a method nobody registered, so the hub's caller sees the timeout, as with IoT Hub.
        const unknown = await bench('method', '--device', device.id, '--name', 'selfDestruct', '--payload', '{}', '--timeout', '2');
        assert.equal(unknown.code, 1, unknown.output);
        assert.match(unknown.output, /504/);
      } finally {
        await closeQuietly(client);
      }
      const offline = await bench('method', '--device', device.id, '--name', 'reboot', '--payload', '{}');
      assert.equal(offline.code, 1, offline.output);
      assert.match(offline.output, /404 DeviceNotOnline/);
    });
  });
}

describe('refusals the real hub gives, as the SDK sees them', () => {
  const refused = async (device, credentials, reasonId) => {
    const client = await makeClient(device, credentials);
    const since = hubEvents.mark();
    try {
      await assert.rejects(withTimeout(client.open(), `${device.id}: client.open()`), (err) => {
        assert.equal(err.name, 'UnauthorizedError', `${err.name}: ${err.message}`);
        assert.match(err.message, /Not authorized/);
        return true;
      });
    } finally {
      await closeQuietly(client);
    }
    const connect = await hubEvents.waitFor(`${device.id} refused connect`, since, (e) => e.kind === 'connect' && e.device === device.id);
    assert.equal(connect.verdict, 'refused');
    assert.equal(connect.connack, 5);
    assert.equal(connect.reason_id, reasonId, connect.reason);
    assert.equal(connect.listener, listenerOf(device));
  };

  for (const device of setup.devices.filter((d) => d.auth === 'sas')) {
    it(`${device.id} (${device.transport}) with a wrong key: open() fails with UnauthorizedError (CONNACK 5)`, () =>
      refused(device, { key: setup.wrongKey }, 'AUTH-SAS-SIGNATURE'));
  }
  for (const device of setup.devices.filter((d) => d.auth === 'x509')) {
    it(`${device.id} with an unregistered certificate: TLS completes, open() fails with UnauthorizedError (CONNACK 5)`, () =>
      refused(device, { cert: setup.stranger.cert, keyFile: setup.stranger.keyFile }, 'AUTH-X509-THUMBPRINT'));
  }
});
