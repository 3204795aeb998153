// util.dynamodb (attribute-value conversion) and the basic request builders of the
// '@aws-appsync/utils/dynamodb' module. The local runtime does not execute DynamoDB data sources,
// so only the builders whose output is a plain restatement of their input are provided; the ones
// that compile expressions (query, scan/update with filters or conditions, sync) throw a clear
// error instead of producing a request that merely looks right.

const unsupported = (name) => () => {
  throw new Error(`${name} is not supported by the local APPSYNC_JS runtime`);
};

const orNull = (fn) => (v) => (v === null || v === undefined ? null : fn(v));

export const dynamodbUtil = Object.freeze({
  toDynamoDB(value) {
    if (value === null || value === undefined) return { NULL: null };
    if (typeof value === 'string') return { S: value };
    if (typeof value === 'number') return { N: value };
    if (typeof value === 'boolean') return { BOOL: value };
    if (Array.isArray(value)) return { L: value.map((v) => dynamodbUtil.toDynamoDB(v)) };
    if (typeof value === 'object') return { M: dynamodbUtil.toMapValues(value) };
    throw new Error(`util.dynamodb.toDynamoDB: cannot convert a ${typeof value}`);
  },
  toString: orNull((v) => ({ S: v })),
  toStringSet: orNull((v) => ({ SS: v })),
  toNumber: orNull((v) => ({ N: v })),
  toNumberSet: orNull((v) => ({ NS: v })),
  toBinary: orNull((v) => ({ B: v })),
  toBinarySet: orNull((v) => ({ BS: v })),
  toBoolean: orNull((v) => ({ BOOL: v })),
  toNull: () => ({ NULL: null }),
  toList: orNull((v) => ({ L: v.map((x) => dynamodbUtil.toDynamoDB(x)) })),
  toMap: orNull((v) => ({ M: dynamodbUtil.toMapValues(v) })),
  toMapValues(obj) {
    const out = {};
    for (const [k, v] of Object.entries(obj ?? {})) out[k] = dynamodbUtil.toDynamoDB(v);
    return out;
  },
  toS3Object(key, bucket, region, version) {
    const s3 = version === undefined ? { key, bucket, region } : { key, bucket, region, version };
    return { S: JSON.stringify({ s3 }) };
  },
  fromS3ObjectJson(text) {
    return JSON.parse(text).s3;
  },
});

// --- '@aws-appsync/utils/dynamodb' builders --------------------------------------------------

export function get({ key, consistentRead }) {
  const out = { operation: 'GetItem', key: dynamodbUtil.toMapValues(key) };
  if (consistentRead !== undefined) out.consistentRead = consistentRead;
  return out;
}

export function put({ key, item, condition, _version }) {
  if (condition) unsupported('dynamodb.put with a condition')();
  const out = {
    operation: 'PutItem',
    key: dynamodbUtil.toMapValues(key),
    attributeValues: dynamodbUtil.toMapValues(item),
  };
  if (_version !== undefined) out._version = _version;
  return out;
}

export function remove({ key, condition, _version }) {
  if (condition) unsupported('dynamodb.remove with a condition')();
  const out = { operation: 'DeleteItem', key: dynamodbUtil.toMapValues(key) };
  if (_version !== undefined) out._version = _version;
  return out;
}

export function scan(payload = {}) {
  if (payload.filter) unsupported('dynamodb.scan with a filter')();
  return { operation: 'Scan', ...payload };
}

export const query = unsupported('dynamodb.query');
export const update = unsupported('dynamodb.update');
export const sync = unsupported('dynamodb.sync');

