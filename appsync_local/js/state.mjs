// Per-evaluation state shared by the worker and the '@aws-appsync/utils' shim.
//
// Handlers run synchronously (APPSYNC_JS has no async), and the worker evaluates one handler at a
// time, so a single module-level "current evaluation" slot is enough: side effects such as
// util.appendError or extensions.setSubscriptionFilter are recorded here and collected by the
// worker when the handler returns.

/** Thrown by util.error / util.unauthorized: an intentional GraphQL error, not a code defect. */
export class AppSyncError extends Error {
  constructor(message, errorType, data, errorInfo) {
    super(message);
    this.name = 'AppSyncError';
    this.errorType = errorType ?? null;
    this.data = data ?? null;
    this.errorInfo = errorInfo ?? null;
  }
}

/** Thrown by runtime.earlyReturn: unwinds the handler and carries its result. Not an Error on
 * purpose, so that building it costs no stack trace. */
export class EarlyReturn {
  constructor(value, skipTo) {
    this.value = value;
    this.skipTo = skipTo ?? null;
  }
}

let current = null;

export function begin({ authType = null, identity = null } = {}) {
  current = {
    authType,
    identity,
    errors: [],
    subscriptionFilter: null,
    invalidationFilter: null,
    invalidations: [],
    cacheEvictions: [],
    responseHeaders: {},
  };
}

export function end() {
  const finished = current;
  current = null;
  return finished;
}

/** The running evaluation; utilities with side effects are meaningless outside a handler. */
export function state() {
  if (current === null) {
    throw new Error('this AppSync utility can only be used while a request/response handler runs');
  }
  return current;
}
