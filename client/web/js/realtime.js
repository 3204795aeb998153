// A small client for the AWS AppSync real-time WebSocket protocol
// (docs: "Building a real-time WebSocket client"; docs/appsync-reference.md section 1).
//
//   connect  wss://…appsync-realtime-api…/graphql, subprotocols
//            ["graphql-ws", "header-<base64url(JSON {host, Authorization})>"]
//   client   connection_init            server  connection_ack {connectionTimeoutMs}
//   client   start {id, payload:{data, extensions:{authorization}}}
//   server   start_ack | data | error | complete | ka (keep-alive)
//   client   stop {id}
//
// What this adds on top of the wire protocol:
//   * a keep-alive watchdog: no `ka` within connectionTimeoutMs -> reconnect;
//   * reconnect with exponential backoff (and at once when the browser comes back online);
//     every live subscription is started again, and its `started` callback is told
//     {reconnected: true} so the caller can fill the gap (e.g. syncMessages);
//   * fresh credentials for every connect and every start (getAuthorization is async), and
//     one forced refresh when the server says Unauthorized.

const DEFAULTS = {
  ackTimeoutMs: 15000, // connection_ack and start_ack (Amplify uses 15 s)
  defaultKeepAliveMs: 300000, // when connection_ack has no connectionTimeoutMs
  backoffBaseMs: 1000,
  backoffMaxMs: 30000,
  lingerMs: 2000, // keep an idle socket this long (switching rooms re-subscribes at once)
  headerTransport: "subprotocol", // or "query": ?header=<base64>&payload=e30= (legacy form)
};

const UNAUTHORIZED = /unauthori[sz]ed|notauthorized|token expired/i;

/** base64url (no padding) of the UTF-8 JSON text of `value`. */
export function base64UrlJson(value) {
  return base64Json(value).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Standard base64 (with padding) of the UTF-8 JSON text of `value`. */
export function base64Json(value) {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The realtime URL AWS derives from a standard GraphQL URL (custom domains: pass it yourself). */
export function realtimeUrlFor(graphqlUrl) {
  return graphqlUrl
    .replace(/^https:/, "wss:")
    .replace(/^http:/, "ws:")
    .replace("appsync-api", "appsync-realtime-api");
}

function isUnauthorized(errors) {
  const list = Array.isArray(errors) ? errors : errors ? [errors] : [];
  return list.some((e) => UNAUTHORIZED.test(`${e.errorType || ""} ${e.message || ""}`));
}

export class RealtimeClient {
  /**
   * @param {object} options
   * @param {string} options.realtimeUrl   ws(s)://…/graphql
   * @param {string} options.graphqlUrl    the HTTP endpoint: its host goes into every header
   * @param {(force: boolean) => Promise<object>} options.getAuthorization
   *        auth headers, e.g. {Authorization: "<JWT>"} or {"x-api-key": "da2-…"}
   * @param {(status: {state: string, retryInMs?: number, error?: string}) => void} [options.onStatus]
   */
  constructor({ realtimeUrl, graphqlUrl, getAuthorization, onStatus, ...tuning }) {
    this.realtimeUrl = realtimeUrl;
    this.host = new URL(graphqlUrl).host;
    this.getAuthorization = getAuthorization;
    this.onStatus = onStatus || (() => {});
    this.options = { ...DEFAULTS, ...tuning };
    this.subscriptions = new Map(); // id -> {request, handlers, state, everStarted, timer}
    this.ws = null;
    this.state = "idle"; // idle | connecting | connected | waiting | closed
    this.attempt = 0;
    this.forceRefresh = false;
    this.timers = { ack: null, keepAlive: null, retry: null, linger: null };
    this.onOnline = () => {
      if (this.state === "waiting") this.reconnectNow();
    };
    globalThis.addEventListener?.("online", this.onOnline);
  }

  /**
   * Start a subscription. handlers: {next(payload), error(errors), started({reconnected})}.
   * Returns {id, unsubscribe()}.
   */
  subscribe(request, handlers) {
    const id = crypto.randomUUID();
    this.subscriptions.set(id, { request, handlers, state: "pending", everStarted: false });
    clearTimeout(this.timers.linger);
    if (this.state === "connected") this.sendStart(id);
    else this.ensureConnected();
    return { id, unsubscribe: () => this.unsubscribe(id) };
  }

  unsubscribe(id) {
    const sub = this.subscriptions.get(id);
    if (!sub) return;
    clearTimeout(sub.timer);
    this.subscriptions.delete(id);
    if (this.state === "connected" && sub.state !== "pending") this.send({ type: "stop", id });
    if (this.subscriptions.size === 0) {
      clearTimeout(this.timers.linger);
      this.timers.linger = setTimeout(() => {
        if (this.subscriptions.size === 0) this.dropSocket("idle", false);
      }, this.options.lingerMs);
    }
  }

  /** Stop everything for good (sign-out, page unload). */
  close() {
    for (const id of [...this.subscriptions.keys()]) this.unsubscribe(id);
    clearTimeout(this.timers.linger);
    clearTimeout(this.timers.retry);
    this.dropSocket("closed", false);
    globalThis.removeEventListener?.("online", this.onOnline);
    this.setState("closed");
  }

  /** Reconnect at once (a "retry now" button, or the browser coming back online). */
  reconnectNow() {
    clearTimeout(this.timers.retry);
    this.dropSocket("retry", false);
    this.ensureConnected();
  }

  // -- connection ------------------------------------------------------------------

  setState(state, extra = {}) {
    this.state = state;
    this.onStatus({ state, ...extra });
  }

  async ensureConnected() {
    if (this.state === "connecting" || this.state === "connected" || this.state === "closed") return;
    clearTimeout(this.timers.retry);
    this.setState("connecting");
    let auth;
    try {
      auth = await this.getAuthorization(this.forceRefresh);
      this.forceRefresh = false;
    } catch (err) {
      this.setState("idle");
      this.scheduleReconnect(`cannot get credentials: ${err.message}`);
      return;
    }
    if (this.state !== "connecting") return; // closed meanwhile
    const header = { host: this.host, ...auth };
    let url = this.realtimeUrl;
    const protocols = ["graphql-ws"];
    if (this.options.headerTransport === "query") {
      const sep = url.includes("?") ? "&" : "?";
      url += `${sep}header=${encodeURIComponent(base64Json(header))}&payload=e30=`;
    } else {
      protocols.push(`header-${base64UrlJson(header)}`);
    }
    let ws;
    try {
      ws = new WebSocket(url, protocols);
    } catch (err) {
      this.setState("idle");
      this.scheduleReconnect(err.message);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.send({ type: "connection_init" });
      this.timers.ack = setTimeout(
        () => this.dropSocket("no connection_ack", true),
        this.options.ackTimeoutMs,
      );
    };
    ws.onmessage = (event) => this.onFrame(event.data);
    ws.onclose = (event) => {
      if (this.ws === ws) this.dropSocket(`closed (${event.code})`, true);
    };
    ws.onerror = () => {}; // onclose follows and handles it
  }

  /** Forget the current socket; reconnect later if asked and subscriptions remain. */
  dropSocket(reason, reconnect) {
    const ws = this.ws;
    this.ws = null;
    clearTimeout(this.timers.ack);
    clearTimeout(this.timers.keepAlive);
    for (const sub of this.subscriptions.values()) {
      clearTimeout(sub.timer);
      sub.state = "pending";
    }
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000, reason.slice(0, 100));
      } catch {
        /* already closed */
      }
    }
    if (this.state === "closed") return;
    if (reconnect && this.subscriptions.size > 0) this.scheduleReconnect(reason);
    else this.setState("idle");
  }

  scheduleReconnect(reason) {
    if (this.state === "closed") return;
    const { backoffBaseMs, backoffMaxMs } = this.options;
    const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** this.attempt);
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2); // "equal jitter"
    this.attempt += 1;
    this.setState("waiting", { retryInMs: delay, error: reason });
    clearTimeout(this.timers.retry);
    this.timers.retry = setTimeout(() => {
      this.setState("idle");
      this.ensureConnected();
    }, delay);
  }

  armKeepAlive() {
    clearTimeout(this.timers.keepAlive);
    this.timers.keepAlive = setTimeout(
      () => this.dropSocket("keep-alive missed", true),
      this.keepAliveMs,
    );
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  // -- frames ----------------------------------------------------------------------

  onFrame(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    const sub = frame.id != null ? this.subscriptions.get(String(frame.id)) : undefined;
    switch (frame.type) {
      case "connection_ack":
        clearTimeout(this.timers.ack);
        this.keepAliveMs = frame.payload?.connectionTimeoutMs || this.options.defaultKeepAliveMs;
        this.armKeepAlive();
        this.attempt = 0;
        this.setState("connected");
        for (const id of this.subscriptions.keys()) this.sendStart(id);
        break;
      case "ka":
        this.armKeepAlive();
        break;
      case "start_ack":
        if (sub) {
          clearTimeout(sub.timer);
          sub.state = "started";
          const reconnected = sub.everStarted;
          sub.everStarted = true;
          sub.handlers.started?.({ reconnected });
        }
        break;
      case "data":
        if (sub && frame.payload) sub.handlers.next?.(frame.payload);
        break;
      case "complete":
        if (sub) this.subscriptions.delete(String(frame.id));
        break;
      case "error":
        this.onError(frame, sub);
        break;
      case "connection_error":
        this.onConnectionError(frame.payload?.errors);
        break;
      default:
        break;
    }
  }

  onError(frame, sub) {
    const errors = frame.payload?.errors ?? frame.payload;
    if (!sub) {
      // A connection-wide error (e.g. LimitExceededError, no id).
      if (frame.id == null) this.onConnectionError(errors);
      return;
    }
    clearTimeout(sub.timer);
    if (isUnauthorized(errors) && !sub.retriedAuth) {
      // Expired token: reconnect with fresh credentials (as Amplify does).
      sub.retriedAuth = true;
      this.forceRefresh = true;
      this.dropSocket("unauthorized subscription", true);
      return;
    }
    this.subscriptions.delete(String(frame.id));
    sub.handlers.error?.(Array.isArray(errors) ? errors : [errors]);
  }

  onConnectionError(errors) {
    if (isUnauthorized(errors)) this.forceRefresh = true;
    const message = (Array.isArray(errors) ? errors : [errors])
      .map((e) => e?.message || e?.errorType)
      .filter(Boolean)
      .join("; ");
    this.dropSocket(message || "connection error", true);
  }

  async sendStart(id) {
    const sub = this.subscriptions.get(id);
    if (!sub || sub.state !== "pending") return;
    sub.state = "starting";
    const attempt = (sub.attempt = (sub.attempt || 0) + 1); // a reconnect meanwhile starts a new one
    let auth;
    try {
      auth = await this.getAuthorization(false);
    } catch (err) {
      this.subscriptions.delete(id);
      sub.handlers.error?.([{ message: `cannot get credentials: ${err.message}` }]);
      return;
    }
    if (this.subscriptions.get(id) !== sub || sub.attempt !== attempt || sub.state !== "starting") return;
    if (this.state !== "connected") return;
    this.send({
      id,
      type: "start",
      payload: {
        data: JSON.stringify(sub.request),
        extensions: { authorization: { host: this.host, ...auth } },
      },
    });
    sub.timer = setTimeout(() => {
      this.subscriptions.delete(id);
      sub.handlers.error?.([{ message: "The server did not acknowledge the subscription." }]);
    }, this.options.ackTimeoutMs);
  }
}
