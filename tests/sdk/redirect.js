'use strict';
// Preload (`node --require ./redirect.js`): the SDK dials `<hub>.azure-devices.net:8883` (Mqtt)
// and `wss://<hub>.azure-devices.net:443/$iothub/websocket` (MqttWs) and offers no way to change
// the port. Both paths end in `tls.connect(options)` (mqtt.js's tls builder, ws's tlsConnect), so
// that is where the test's hub takes over: the socket goes to 127.0.0.1 and the hub's ephemeral
// port, while `servername` stays the hub's host name, so SNI and the certificate's host name check
// are those a device does against the real hub. Any other *.azure-devices.net dial is refused, so
// a test can never reach a real hub.
const tls = require('node:tls');
const net = require('node:net');

const hubHost = process.env.FLEXHIL_SDK_HUB_HOST;
const ports = {
  8883: Number(process.env.FLEXHIL_SDK_MQTTS_PORT),
  443: Number(process.env.FLEXHIL_SDK_WS_PORT),
};
if (!hubHost || !ports[8883] || !ports[443]) {
  throw new Error('redirect.js needs FLEXHIL_SDK_HUB_HOST, FLEXHIL_SDK_MQTTS_PORT and FLEXHIL_SDK_WS_PORT');
}

function redirected(host, port) {
  if (typeof host !== 'string' || !host.toLowerCase().endsWith('.azure-devices.net')) return null;
  const local = host.toLowerCase() === hubHost.toLowerCase() ? ports[Number(port)] : undefined;
  if (!local) throw new Error(`redirect.js: refusing to dial ${host}:${port} (only ${hubHost}:8883/443 go to the test hub)`);
  return local;
}

const realTlsConnect = tls.connect;
tls.connect = function connect(...args) {
  // tls.connect(options[, cb]) is the form both transports use; (port, host, ...) is passed through
  // untouched unless it names an Azure host.
  if (args[0] !== null && typeof args[0] === 'object') {
    const options = args[0];
    const host = options.host || options.hostname;
    const local = redirected(host, options.port || 443);
    if (local) {
      args[0] = { ...options, host: '127.0.0.1', hostname: '127.0.0.1', port: local, servername: options.servername || host };
    }
  } else if (typeof args[1] === 'string' && redirected(args[1], args[0])) {
    throw new Error('redirect.js: tls.connect(port, host) to an Azure host is not expected from the SDK');
  }
  return realTlsConnect.apply(this, args);
};

// Plain TCP to the hub would be a transport bug (the hub has no 1883): make it loud, not silent.
const realNetConnect = net.connect;
net.connect = net.createConnection = function connect(...args) {
  const options = args[0] !== null && typeof args[0] === 'object' ? args[0] : { port: args[0], host: args[1] };
  if (typeof options.host === 'string' && options.host.toLowerCase().endsWith('.azure-devices.net')) {
    throw new Error(`redirect.js: plain TCP to ${options.host}:${options.port} — IoT Hub has no plaintext port`);
  }
  return realNetConnect.apply(this, args);
};
