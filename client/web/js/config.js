// The deployment this page talks to, read from `config.json` next to index.html.
// Locally the runtime serves it (from .local/runtime.json); on AWS you write it from the
// stack outputs (docs/web-ui.md). Same code everywhere: only this file differs.
//
// {
//   "graphqlUrl":  "https://<id>.appsync-api.<region>.amazonaws.com/graphql",
//   "realtimeUrl": "wss://<id>.appsync-realtime-api.<region>.amazonaws.com/graphql",  (optional)
//   "region":      "<region>",
//   "apiKey":      "da2-…",                                                           (optional)
//   "userPool":    {"id": "<region>_…", "clientId": "…", "endpoint": "…"}      (endpoint optional)
// }

import { realtimeUrlFor } from "./realtime.js";

export class ConfigError extends Error {}

export async function loadConfig(url = "config.json") {
  let response;
  try {
    response = await fetch(url, { cache: "no-store" });
  } catch (err) {
    throw new ConfigError(`Cannot load ${url}: ${err.message}`);
  }
  if (!response.ok) {
    throw new ConfigError(
      `${url} was not found (HTTP ${response.status}). Locally, start the API with ` +
        "`make run` (it serves the page and its config.json); on AWS, write config.json " +
        "from your stack outputs (docs/web-ui.md).",
    );
  }
  let raw;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError(`${url} is not valid JSON.`);
  }
  return validateConfig(raw);
}

export function validateConfig(raw) {
  const problems = [];
  const url = (value, name, schemes) => {
    try {
      const parsed = new URL(value);
      if (!schemes.includes(parsed.protocol)) problems.push(`${name} must use ${schemes.join(" or ")}`);
    } catch {
      problems.push(`${name} is missing or not a URL`);
    }
  };
  url(raw.graphqlUrl, "graphqlUrl", ["https:", "http:"]);
  const realtimeUrl = raw.realtimeUrl || (raw.graphqlUrl ? realtimeUrlFor(raw.graphqlUrl) : "");
  url(realtimeUrl, "realtimeUrl", ["wss:", "ws:"]);
  if (!raw.region) problems.push("region is missing");
  const pool = raw.userPool || {};
  if (!pool.id || !pool.clientId) problems.push("userPool.id and userPool.clientId are required");
  if (problems.length) throw new ConfigError(`config.json: ${problems.join("; ")}.`);
  return Object.freeze({
    graphqlUrl: raw.graphqlUrl,
    realtimeUrl,
    region: raw.region,
    apiKey: raw.apiKey || null,
    userPool: Object.freeze({ id: pool.id, clientId: pool.clientId, endpoint: pool.endpoint || null }),
  });
}
