// An unmodified Amplify JS v6 client subscribing through the local runtime.
// usage: node subscribe.mjs <graphql endpoint https://localhost:PORT/graphql> <api key> <count> <channel>
// Prints one JSON line per Amplify event: {"state": ...} for connection states, {"event": ...}
// for subscription data, {"error": ...} on failure. Exits 0 after <count> events.
import WebSocket from 'ws';
import { Amplify } from 'aws-amplify';
import { generateClient, CONNECTION_STATE_CHANGE } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';

// Node 20 has no global WebSocket (browsers and Node 22 do); Amplify uses the global one.
globalThis.WebSocket = WebSocket;

const [endpoint, apiKey, countArg, channel] = process.argv.slice(2);
const wanted = Number(countArg);
const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

Amplify.configure({
  API: { GraphQL: { endpoint, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey } },
});

Hub.listen('api', ({ payload }) => {
  if (payload.event === CONNECTION_STATE_CHANGE) out({ state: payload.data.connectionState });
});

const query = `subscription S($channel: String) {
  onEvent(channel: $channel) { channel kind body seq }
}`;
let seen = 0;
const subscription = generateClient()
  .graphql({ query, variables: { channel } })
  .subscribe({
    next: ({ data }) => {
      out({ event: data });
      seen += 1;
      if (seen >= wanted) {
        subscription.unsubscribe();
        setTimeout(() => process.exit(0), 100);
      }
    },
    error: (err) => {
      out({ error: err?.errors ?? String(err) });
      process.exit(1);
    },
  });
