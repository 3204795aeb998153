// The peer for bench/fanout.py: amplify-appsync-simulator@2.4.1 serving the fan-out
// fixture's SDL (bench/fixtures/fanout/schema.graphql) with a VTL echo resolver on a NONE
// data source -- the equivalent of our fixture's NONE echo.
//
// usage: node server.js <schema.graphql> <http-port> <mqtt-ws-port> <api-key>
// prints one JSON line {"ready": true, ...} on stdout once it accepts connections.
//
// The simulator calls `server.listen(port)` without a host, i.e. on every interface, and
// its port probing (get-port) also binds on every local address. The benchmark must stay
// on loopback, so every listen() in this process is forced onto 127.0.0.1 before the
// simulator is loaded.
'use strict';

const fs = require('fs');
const net = require('net');

const LOOPBACK = '127.0.0.1';
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0])) {
    if (args[0].path === undefined) {
      args[0] = { ...args[0], host: LOOPBACK };
    }
  } else if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    // listen(port[, host][, backlog][, cb]): drop any host argument, put loopback in its place.
    const port = Number(args[0]);
    const rest = args.slice(1).filter((a) => typeof a !== 'string');
    args = [port, LOOPBACK, ...rest];
  }
  return originalListen.apply(this, args);
};

const { AmplifyAppSyncSimulator } = require('amplify-appsync-simulator');

async function main() {
  const [schemaPath, httpPort, wsPort, apiKey] = process.argv.slice(2);
  const schema = fs.readFileSync(schemaPath, 'utf8');
  const simulator = new AmplifyAppSyncSimulator({ port: Number(httpPort), wsPort: Number(wsPort) });
  simulator.init({
    schema: { content: schema },
    appSync: {
      name: 'bench-fanout-peer',
      defaultAuthenticationType: { authenticationType: 'API_KEY' },
      apiKey,
      additionalAuthenticationProviders: [],
    },
    dataSources: [{ type: 'NONE', name: 'Echo' }],
    resolvers: [
      {
        kind: 'UNIT',
        typeName: 'Mutation',
        fieldName: 'publish',
        dataSourceName: 'Echo',
        // The documented NONE echo: the arguments become the result.
        requestMappingTemplate: '{"version": "2017-02-28", "payload": $util.toJson($context.arguments)}',
        responseMappingTemplate: '$util.toJson($context.result)',
      },
    ],
  });
  await simulator.start();
  process.stdout.write(JSON.stringify({
    ready: true,
    graphqlUrl: `http://${LOOPBACK}:${httpPort}/graphql`,
    realtimeUrl: `ws://${LOOPBACK}:${httpPort}/graphql`,
    pid: process.pid,
  }) + '\n');
  const stop = () => {
    try { simulator.stop(); } finally { process.exit(0); }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`peer failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
