// The local stand-in for '@aws-appsync/utils': `util`, `runtime` and `extensions` as documented
// for the APPSYNC_JS runtime 1.0.0. Resolver code imports this through a generated
// node_modules/@aws-appsync/utils package (see worker.mjs), so bundled code runs unchanged.
// Everything is frozen: the module instance is shared by all evaluations in the worker, and one
// resolver must not be able to monkey-patch the utilities of the next.

import { randomBytes, randomUUID } from 'node:crypto';
import { dynamodbUtil } from './dynamodb.mjs';
import { toSubscriptionFilter } from './filters.mjs';
import { AppSyncError, EarlyReturn, state } from './state.mjs';
import { time } from './time.mjs';

const unsupported = (name) => () => {
  throw new Error(`${name} is not supported by the local APPSYNC_JS runtime`);
};

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KSUID_EPOCH_S = 1400000000;

function autoUlid() {
  let ms = Date.now();
  let head = '';
  for (let i = 0; i < 10; i += 1) {
    head = CROCKFORD[ms % 32] + head;
    ms = Math.floor(ms / 32);
  }
  let bits = BigInt(`0x${randomBytes(10).toString('hex')}`);
  let tail = '';
  for (let i = 0; i < 16; i += 1) {
    tail = CROCKFORD[Number(bits & 31n)] + tail;
    bits >>= 5n;
  }
  return head + tail;
}

function autoKsuid() {
  const ts = Buffer.alloc(4);
  ts.writeUInt32BE(Math.floor(Date.now() / 1000) - KSUID_EPOCH_S);
  let n = BigInt(`0x${Buffer.concat([ts, randomBytes(16)]).toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(27, '0');
}

// java.net.URLEncoder semantics: only [A-Za-z0-9.*_-] stay literal and a space becomes '+'.
function urlEncode(value) {
  return encodeURIComponent(String(value))
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

// Apache Commons escapeEcmaScript, which AppSync's escapeJavaScript mirrors.
function escapeJavaScript(value) {
  const named = { "'": "\\'", '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\n': '\\n',
    '\t': '\\t', '\f': '\\f', '\r': '\\r' };
  const s = String(value);
  let out = '';
  // Per UTF-16 code unit, so characters outside the BMP become a \uXXXX surrogate pair.
  for (let i = 0; i < s.length; i += 1) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (named[c]) out += named[c];
    else if (code < 0x20 || code > 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

const AUTH_TYPES = Object.freeze({
  API_KEY: 'API Key Authorization',
  AWS_IAM: 'IAM Authorization',
  AMAZON_COGNITO_USER_POOLS: 'User Pool Authorization',
  OPENID_CONNECT: 'Open ID Connect Authorization',
  AWS_LAMBDA: 'Lambda Authorization',
});

// Used only when the host did not say which auth mode authorised the request.
function inferAuthType(identity) {
  if (identity === null || identity === undefined) return AUTH_TYPES.API_KEY;
  if ('resolverContext' in identity) return AUTH_TYPES.AWS_LAMBDA;
  if ('userArn' in identity || 'accountId' in identity) return AUTH_TYPES.AWS_IAM;
  if ('defaultAuthStrategy' in identity || 'username' in identity) {
    return AUTH_TYPES.AMAZON_COGNITO_USER_POOLS;
  }
  return AUTH_TYPES.OPENID_CONNECT;
}

// Hop-by-hop and transport headers that must not be forwarded to an HTTP data source.
const RESTRICTED_HEADERS = new Set(['host', 'content-length', 'connection', 'keep-alive',
  'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'proxy-authorization',
  'proxy-authenticate']);

export const util = Object.freeze({
  error(message, errorType, data, errorInfo) {
    // AppSync silently ignores util.error when the message or type is not a string
    // (aws/aws-appsync-community#384); do the same so the bug shows up locally, but say so.
    if (typeof message !== 'string' || (errorType != null && typeof errorType !== 'string')) {
      console.warn('util.error ignored: AppSync does nothing when its message/type is not a string');
      return;
    }
    throw new AppSyncError(message, errorType, data, errorInfo);
  },
  appendError(message, errorType, data, errorInfo) {
    state().errors.push({
      message, errorType: errorType ?? null, data: data ?? null, errorInfo: errorInfo ?? null,
    });
  },
  unauthorized() {
    throw new AppSyncError('Unauthorized', 'Unauthorized');
  },
  autoId: () => randomUUID(),
  autoUlid,
  autoKsuid,
  urlEncode,
  urlDecode: (value) => decodeURIComponent(String(value).replace(/\+/g, ' ')),
  base64Encode: (value) => Buffer.from(String(value), 'utf8').toString('base64'),
  base64Decode: (value) => Buffer.from(String(value), 'base64').toString('utf8'),
  escapeJavaScript,
  // java.util.regex.Pattern.matches: the whole input must match.
  matches: (pattern, value) => new RegExp(`^(?:${pattern})$`).test(String(value)),
  authType() {
    const s = state();
    return AUTH_TYPES[s.authType] ?? s.authType ?? inferAuthType(s.identity);
  },
  time,
  dynamodb: dynamodbUtil,
  transform: Object.freeze({
    toSubscriptionFilter,
    toDynamoDBFilterExpression: unsupported('util.transform.toDynamoDBFilterExpression'),
    toDynamoDBConditionExpression: unsupported('util.transform.toDynamoDBConditionExpression'),
    toElasticsearchQueryDSL: unsupported('util.transform.toElasticsearchQueryDSL'),
  }),
  http: Object.freeze({
    copyHeaders(headers) {
      const out = {};
      for (const [k, v] of Object.entries(headers ?? {})) {
        if (!RESTRICTED_HEADERS.has(k.toLowerCase())) out[k] = v;
      }
      return out;
    },
    addResponseHeader(name, value) {
      state().responseHeaders[name] = value;
    },
    addResponseHeaders(headers) {
      Object.assign(state().responseHeaders, headers);
    },
  }),
  str: Object.freeze({
    normalize: (value, form) => String(value).normalize(String(form ?? 'nfc').toUpperCase()),
  }),
  math: Object.freeze({
    roundNum: (n) => Math.round(n),
    minVal: (a, b) => Math.min(a, b),
    maxVal: (a, b) => Math.max(a, b),
    randomDouble: () => Math.random(),
    randomWithinRange: (start, end) => start + Math.floor(Math.random() * (end - start + 1)),
  }),
  xml: Object.freeze({
    toMap: unsupported('util.xml.toMap'),
    toJsonString: unsupported('util.xml.toJsonString'),
  }),
  rds: Object.freeze({
    toJsonObject: unsupported('util.rds.toJsonObject'),
  }),
});

export const runtime = Object.freeze({
  earlyReturn(obj, returnOptions) {
    throw new EarlyReturn(obj, returnOptions?.skipTo);
  },
});

export const extensions = Object.freeze({
  setSubscriptionFilter(filter) {
    state().subscriptionFilter = filter ?? null;
  },
  setSubscriptionInvalidationFilter(filter) {
    state().invalidationFilter = filter ?? null;
  },
  invalidateSubscriptions(obj) {
    state().invalidations.push(obj);
  },
  evictFromApiCache(typeName, fieldName, keyValuePair) {
    state().cacheEvictions.push({ typeName, fieldName, keys: keyValuePair ?? {} });
  },
});
