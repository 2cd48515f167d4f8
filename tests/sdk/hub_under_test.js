'use strict';
// What the SDK cases need from the `flexhil hub` the driver (run_node_sdk_test.sh) started: its
// settings (setup.json), its events (capture.jsonl) and console to wait on, its bench commands, and
// device clients made as an application would make them (a connection string and setOptions).
const fs = require('node:fs');
const { execFile } = require('node:child_process');
const { Client } = require('azure-iot-device');
const { Mqtt, MqttWs } = require('azure-iot-device-mqtt');

const WAIT_MS = 30000;
const setup = JSON.parse(fs.readFileSync(process.env.FLEXHIL_SDK_SETUP, 'utf8'));
const ca = fs.readFileSync(setup.ca, 'utf8');

// A wait that gives up with a sentence saying what never came, never hangs the suite.
async function waitFor(what, probe, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function withTimeout(promise, what, timeoutMs = WAIT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s: ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The capture.jsonl `flexhil hub` writes holds every event of the hub as it judged it (the
// plugin's audit stream, numbered); a case marks where it starts so it only matches the events
// its own actions caused.
class HubEvents {
  mark() {
    return fs.existsSync(setup.events) ? fs.statSync(setup.events).size : 0;
  }

  // Byte offsets: payloads and properties need not be ASCII. A line still being written waits.
  events(since) {
    const bytes = fs.readFileSync(setup.events).subarray(since);
    const complete = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1).toString('utf8');
    return complete.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  }

  waitFor(what, since, predicate, timeoutMs) {
    return waitFor(`the hub event: ${what}`, () => this.events(since).find(predicate), timeoutMs);
  }
}

// The block `flexhil hub` prints for one device message: the event line, system and application
// properties, payload, then one `finding` line per rule the message breaks (written in one go).
async function consoleBlock(messageId) {
  const marker = `%24.mid=${encodeURIComponent(messageId)}`;
  return waitFor(`the hub console's lines for message ${messageId}`, () => {
    const lines = fs.readFileSync(setup.console, 'utf8').split('\n');
    const start = lines.findIndex((l) => / publish /.test(l) && l.includes(marker));
    if (start < 0) return null;
    const block = [lines[start]];
    for (let i = start + 1; i < lines.length && lines[i].startsWith('  '); i++) block.push(lines[i]);
    return block.some((l) => l.startsWith('  payload')) ? block : null;
  });
}

// `flexhil hub <command> --run DIR …` as an operator types it in a second terminal.
function bench(command, ...args) {
  return new Promise((resolve) => {
    execFile(setup.flexhil, ['hub', command, '--run', setup.run, ...args], { timeout: WAIT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr, output: stdout + stderr });
      });
  });
}

// One registered identity and the transport it uses; `credentials` overrides what the registry
// holds (a wrong key, an unregistered certificate) for the refusal cases.
function connectionString(device, credentials = {}) {
  const base = `HostName=${setup.hubHost};DeviceId=${device.id}`;
  return device.auth === 'sas' ? `${base};SharedAccessKey=${credentials.key || device.key}` : `${base};x509=true`;
}

async function makeClient(device, credentials = {}) {
  const transport = device.transport === 'MqttWs' ? MqttWs : Mqtt;
  const client = Client.fromConnectionString(connectionString(device, credentials), transport);
  const options = { ca };
  if (device.auth !== 'sas') {
    options.cert = fs.readFileSync(credentials.cert || device.cert, 'utf8');
    options.key = fs.readFileSync(credentials.keyFile || device.keyFile, 'utf8');
  }
  // Resolves once the X.509 options reached the authentication provider (asynchronous in the SDK).
  await client.setOptions(options);
  return client;
}

async function closeQuietly(client) {
  if (!client) return;
  try {
    await withTimeout(client.close(), 'client.close()', 10000);
  } catch (_) {
    // A client whose open() failed may refuse to close: nothing is left to release.
  }
}

module.exports = { setup, HubEvents, consoleBlock, bench, makeClient, closeQuietly, waitFor, withTimeout, WAIT_MS };
