// Resolver code for every field served by ApiFunction (Lambda data source "ApiLambda").
//
// request: invoke the Lambda with the same context a Direct Lambda resolver sends
//   (arguments, identity, source, request, info, prev, stash), so the Powertools
//   AppSyncResolver routes it unchanged.
// response: the Lambda reports domain errors as {__error: {message, type, data, info}}
//   (resolvers/positive_chat/handlers/errors.py); raise them with util.error so clients
//   see AppSync's errorType (ValidationError, Unauthorized, NotFound, ConflictUnhandled
//   with the server's item in data, ...). A Lambda failure (ctx.error) is raised as is.
// See docs/decisions.md "Errors surface with AppSync's error types".
import { util } from '@aws-appsync/utils';

/**
 * @param {import('@aws-appsync/utils').Context} ctx
 */
export function request(ctx) {
  return {
    operation: 'Invoke',
    payload: {
      arguments: ctx.arguments,
      identity: ctx.identity,
      source: ctx.source,
      request: ctx.request,
      info: ctx.info,
      prev: ctx.prev,
      stash: ctx.stash,
    },
  };
}

/**
 * @param {import('@aws-appsync/utils').Context} ctx
 */
export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const result = ctx.result;
  if (result && result.__error) {
    const e = result.__error;
    util.error(e.message, e.type, e.data, e.info);
  }
  return result;
}
